"""New users on a phone, end to end: the real bot against the fake Bot API, read as a product
owner reads it (found by the QA run playing first-time users)."""

from __future__ import annotations

from conftest import BotThread, assert_valid_html, plain
from fake_telegram import FakeTelegram


def test_a_group_is_told_to_mention_the_bot_not_just_to_write(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """/start or a bare @mention in a group got the private welcome ("write a question, or
    press a button below"); a member who then wrote a question got silence, since the bot
    answers only mentions and replies there. In a group the greeting says how to ask there."""
    group = {"chat_id": -470, "chat_type": "supergroup", "user_id": 47}
    greeting = bot.services.knowledge.voice.render("group_greeting", username="llama_test_bot")
    for text in ("/start", "/start@llama_test_bot", "@llama_test_bot"):
        [reply] = fake_telegram.ask(text, **group)
        assert reply.text == greeting, text
        assert "@llama_test_bot" in plain(reply)
        assert "m:topics" in [b.get("callback_data") for b in reply.buttons]  # buttons still work
        assert_valid_html(reply.text)
    # A private chat keeps the welcome with its list of topics.
    [reply] = fake_telegram.ask("/start", user_id=47)
    assert reply.text == bot.services.knowledge.voice.render("welcome")


def test_source_counts_in_bengali_digits_like_every_other_number(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """/source said "(22টি উত্তর ...)" in Latin digits, beside "১ বিলিয়ন", "৯ দিন বাকি" and
    every other number the bot writes in Bengali."""
    from bot.core.events import bengali_number

    [reply] = fake_telegram.ask("/source")
    cited = len(bot.services.knowledge.facts)  # one article: every answer cites it
    assert f"{bengali_number(cited)}টি উত্তর" in reply.text
    assert not any(c.isascii() and c.isdigit() for c in plain(reply))


def test_the_bot_calls_itself_by_its_name(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    """"tumi ke?" got "আমি llamabot 🤖": the package's English name, where the welcome, help
    and group greeting all say লামাবট."""
    name = bot.services.knowledge.voice.name
    for question in ("tumi ke?", "তুমি কে?", "who are you?"):
        [reply] = fake_telegram.ask(question)
        assert name in reply.text and "llamabot" not in reply.text.lower(), question


def test_two_questions_one_the_article_lacks_both_get_their_part(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """"Who sued Meta, and what is the trouble in Europe?" got only "the article does not say"
    with the lawsuit's button: the Europe half, which the article answers, was dropped."""
    question = "মেটার বিরুদ্ধে মামলা কারা করেছে আর ইউরোপে কী সমস্যা?"
    lacks, europe = fake_telegram.ask(question, user_id=48, count=2)
    assert "প্রতিবেদনে এই তথ্যটি দেওয়া নেই" in lacks.text
    assert [b["callback_data"] for b in lacks.buttons] == ["f:copyright_lawsuit"]
    fact = bot.services.knowledge.facts["eu_privacy"]
    assert fact.title in plain(europe) and "v:up" in [b["callback_data"] for b in europe.buttons]


def test_a_number_after_an_answer_picks_that_related_question(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """"২" after an answer with three related-question buttons got "the article does not
    say" on Telegram, while the console (which numbers them) answered the second one."""
    [answer] = fake_telegram.ask("লামাকন কী?", user_id=49)
    second = [b["callback_data"] for b in answer.buttons if b["callback_data"].startswith("f:")][1]
    [reply] = fake_telegram.ask("২", user_id=49)
    fact = bot.services.knowledge.facts[second.removeprefix("f:")]
    assert " ".join(fact.answer.split()[:6]) in " ".join(plain(reply).split())
    assert "প্রতিবেদনে এই তথ্যটি দেওয়া নেই" not in reply.text


def test_a_number_after_the_article_does_not_say_picks_no_hidden_question(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """"১" or "২" after "the article does not say" (one button: the lawsuit) answered the
    first or second related question of the lawsuit's answer, which was never shown; after
    an answer and then a fallback (other buttons on screen), "২" answered the earlier
    answer's second related question. A number picks a related question only right after
    the answer it sits under; under "the article does not say" it picks that reply's own
    buttons (QA 20): "১" the lawsuit, "২" none (there is one)."""
    knowledge = bot.services.knowledge
    responder = bot.services.responder
    hidden = responder.related("copyright_lawsuit")
    for user, number in ((50, "১"), (52, "২")):
        [lacks] = fake_telegram.ask("মেটার বিরুদ্ধে মামলা কারা করেছে?", user_id=user)
        assert [b["callback_data"] for b in lacks.buttons] == ["f:copyright_lawsuit"]
        [reply] = fake_telegram.ask(number, user_id=user)
        for fact_id in hidden:
            assert " ".join(knowledge.facts[fact_id].answer.split()[:6]) not in " ".join(
                plain(reply).split()), (number, fact_id)
        lawsuit = " ".join(knowledge.facts["copyright_lawsuit"].answer.split()[:6])
        assert (lawsuit in " ".join(plain(reply).split())) is (number == "১")
    [answer] = fake_telegram.ask("লামাকন কী?", user_id=51)
    # (QA 19: "না" here is no longer a fallback but a nod with the answer's own buttons.)
    [fallback] = fake_telegram.ask("ক্রিকেট খেলা কবে?", user_id=51)
    assert "দুঃখিত, এই প্রশ্নের উত্তর আমার জানা নেই" in plain(fallback)
    [reply] = fake_telegram.ask("২", user_id=51)
    second = knowledge.facts[responder.related("llamacon")[1]]
    assert " ".join(second.answer.split()[:6]) not in " ".join(plain(reply).split())
