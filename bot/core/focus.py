"""Find the question inside a long message ("...কাল অফিসে তর্ক হচ্ছিল। তো, লামা কবে বের হয়?").

People tell a story first and ask last, or say "so my question is" before
asking. Matching the whole message lets the story's words (unknown to the
knowledge base) veto the answer; matching only the parts that carry the
question does not. Pure text work: nothing here knows the knowledge base.
"""

from __future__ import annotations

import re

from bot.core.function_words import THING_POINTERS

# Sentence ends: Bengali dari, question and exclamation marks, a full stop followed by a
# space (not "1.5"), line breaks, and an emoji (chat closes a sentence with one).
_SENTENCE_END = re.compile(
    r"(?<=[।?!॥])\s*|(?<=\.)\s+|\n+|(?<=[\u2600-\u27bf\U0001f300-\U0001faff])\s+")
# Phrases after which the question itself follows. Longest first, so that "আমার প্রশ্ন
# হলো" wins over "প্রশ্ন".
_LEAD_INS = (
    "আমার প্রশ্ন হলো", "আমার প্রশ্ন হল", "আমার প্রশ্ন হচ্ছে", "আমার প্রশ্ন", "প্রশ্ন হলো",
    "প্রশ্ন হল", "প্রশ্ন হচ্ছে", "প্রশ্নটা হলো", "প্রশ্নটা হল", "প্রশ্নটা হচ্ছে",
    "জানতে চাই যে", "জানতে চাই", "জানতে চাচ্ছিলাম", "জানার বিষয়", "আমার জানার বিষয়",
    "যাই হোক", "যাক গে", "তো যাই হোক", "কথা হলো", "তাহলে বলুন", "তাহলে বলো", "বলুন তো",
    "বলো তো", "তো", "তাই",
    "my question is", "the question is", "question is", "i want to know", "i wanted to know",
    "anyway", "anyways", "so", "amar proshno holo", "amar proshno hocche", "amar prosno holo",
    "proshno holo", "prosno holo", "jante chai", "jante chaitesi", "jai hok", "to bolo",
    "tahole bolo",
    # a question announced: "ও দাদা, আরেকটা প্রশ্ন আছে, লামাকন কবে?"
    "আরেকটা প্রশ্ন আছে", "আর একটা প্রশ্ন আছে", "একটা প্রশ্ন আছে", "একটি প্রশ্ন আছে",
    "আরেকটা প্রশ্ন", "আর একটা প্রশ্ন", "অন্য একটা প্রশ্ন", "অন্য একটি প্রশ্ন", "একটা প্রশ্ন",
    "একটি প্রশ্ন", "আরেকটি প্রশ্ন", "নতুন প্রশ্ন", "ভিন্ন প্রশ্ন", "আলাদা প্রশ্ন",
    "i have another question", "i have a question", "another question", "one more question",
    "a different question", "different question", "new question", "next question",
    "quick question", "a question", "arekta proshno ache", "ar ekta proshno", "arekta proshno",
    "ekta proshno ache", "ekta proshno", "onno ekta proshno", "notun proshno", "arekta prosno",
    "ekta prosno",
)
_LEAD_IN = re.compile(
    r"(?:^|[\s,।;:!?—-])(?:" + "|".join(re.escape(p) for p in _LEAD_INS) + r")(?=[\s,:;—-])",
    re.IGNORECASE,
)
# Words that ask: a sentence holding one is a question even without a question mark
# ("জানতে চাই, লামা কোন ধরনের প্রযুক্তি।").
_ASKING = re.compile(
    r"(?<![\w\u0980-\u09FF])(?:কী|কি|কেন|ক্যান|কবে|কখন|কত|কতো|কয়|কোথায়|কই|কোন|কে|কারা|কাদের|"
    r"কীভাবে|কিভাবে|কেমনে|what|why|when|how|which|who|where|ki|keno|kobe|koto|kothay|kon|"
    r"kivabe|kemne|কেনে|ক্যানে|কিয়র|কিল্লাই|কিয়া|কিতা|কুন|কেন্নে|kene|killai|kiya|kita|kun)"
    r"(?![\w\u0980-\u09FF])",
    re.IGNORECASE,
)
# Words that point at what the story told: "এরকম কিছু", "that kind of reasoning".
_STORY_POINTER = re.compile(
    r"(?<![\w\u0980-\u09FF])(?:এরকম|এমন|ওরকম|এইরকম|ওইরকম|এ ধরনের|এই ধরনের|ওই ধরনের|সেরকম|"
    r"সেই ধরনের|such|that kind|this kind|those kinds?|like that|like this|erokom|emon|"
    r"eirokom|oirokom|orokom)(?![\w\u0980-\u09FF])",
    re.IGNORECASE,
)
# Words that point at something the story named: "...মেটা নাকি ওয়ার রুম বানিয়েছে। ওটা কী
# কাজে তৈরি?" asks of the war rooms, which only the sentence before names: the shared
# pointers, and those of several things or of something named before a noun.
_OPENING_POINTERS = frozenset(w.lower() for w in (
    *THING_POINTERS,
    *"ওইটা এইটা সেইটা ওইটার এইটার সেটার ওগুলো এগুলো সেগুলো এর ওর তার ওদের এদের তাদের উক্ত "
     "that this they them their those these oitar egulo ogulo oder eder".split()))
# What is no word at either end of what a lead-in introduces: spaces of any kind, marks.
_EDGES = re.compile(r"^[\s,:;—-]+|[\s,:;—-]+$")
# "so" followed by these is no lead-in.
_NOT_AFTER_SO = frozenset({"far", "much", "many", "that", "long", "called", "on"})
# A message this short is one question already.
MIN_WORDS = 8
# Each part is matched: at most this many, from the last this many lead-ins ("so", "তো").
MAX_PARTS = 8
MAX_LEAD_INS = 3
# A question opening on a pointer has it within its first this many words.
POINTER_WORDS = 3
_MARKS = "?!,.;:।'\"‘’“”"
# A question after a story's comma has at least this many words ("..., কিয়া করুম?" asks
# what the story's teller should do).
QUESTION_CLAUSE_WORDS = 3
# An English sentence opening on these asks already ("Will it generate images, or...").
_ENGLISH_OPENERS = frozenset("is are was were do does did can could will would should has have "
                             "besides".split())


# "এত সমালোচনার পরও ...", "সমালোচনা সত্ত্বেও ...", "despite the criticism, ...": what the
# question concedes is its background, not what it asks about.
_CONCEDING = re.compile(
    r"(?:^|(?<=[,।?!;]\s))(?:\S+\s+){0,3}?\S+\s+(?:পরও|পরেও|সত্ত্বেও|সত্বেও|মধ্যেও)[\s,]+"
    r"|(?:^|(?<=[,.?!;]\s))(?:despite|in spite of|even with|notwithstanding)\s+[^,]{1,40},\s*",
    re.IGNORECASE,
)


def _opens_pointing(sentence: str) -> bool:
    """Whether a sentence opens on a pointer ("ওটা আসলে কী কাজে?", "What is it for?"): one
    further on points within it ("What is Llama and who makes it?")."""
    return any(w.strip(_MARKS).lower() in _OPENING_POINTERS
               for w in sentence.split()[:POINTER_WORDS])


def after_a_story(sentence: str) -> str | None:
    """The clause after a question's last comma when nothing before it asks: "ভাই আমার
    চ্যানেলের জন্য স্ক্রিপ্ট লিখতেছি, মেটা এআই কোন কোন অ্যাপে আছে?" asks only its last
    clause. A clause pointing back ("..., ওটা কী?") asks of the story: not alone."""
    head, comma, tail = sentence.rpartition(",")
    words = head.split()
    if (not comma or not words or len(tail.split()) < QUESTION_CLAUSE_WORDS
            or _ASKING.search(head) or words[0].lower() in _ENGLISH_OPENERS
            or _opens_pointing(tail)):
        return None
    return tail.strip()


# The language or manner an answer is asked in: "in plain English", "সহজ বাংলায় বলো",
# "banglay bujhiye bolo". Without a manner word ("plain") only before or after a word of
# telling: "does Llama work in Bangla?" asks what Llama can do.
_LANGUAGE = (r"(?:english|bangla|bengali|ইংরেজি|ইংলিশ|বাংলা|ingreji|inglish)")
_MANNER = r"(?:plain|simple|simpler|easy|layman'?s|সহজ|সোজা|sohoj|shohoj|soja|shoja)"
_TELLING_EN = r"(?:explain|tell|say|answer|reply|describe|write|put)"
_TELLING_BN = (r"(?:বলো|বলুন|বলেন|বলবেন|বল|কও|কন|বোঝাও|বুঝাও|বুঝিয়ে|বুঝাইয়া|বুঝায়ে|লেখো|লিখুন|"
               r"উত্তর|জানাও|জানান|bolo|bolun|bolen|bol|kao|koo|bujhao|bojhao|bujhiye|bujhaiya|"
               r"bujhay|likho|uttor|janao|janan)")
_IN_LANGUAGE = re.compile(
    rf"\b(?:in|into)\s+(?:{_MANNER}\s+)(?:{_LANGUAGE}|words|terms)\b"
    rf"|\b(?P<keep>{_TELLING_EN}(?:\s+(?!if\b|whether\b)\S+){{0,3}}?)\s+in\s+{_LANGUAGE}\b"
    rf"|\bin\s+{_LANGUAGE}\b(?=[\s,]+(?:please\s+)?{_TELLING_EN}\b)"
    rf"|(?:{_MANNER}\s+)?(?:বাংলায়|বাংলাতে|ইংরেজিতে|ইংলিশে|banglay|banglate|bangla\s+te|"
    rf"english\s+e|englishe|ingrejite)(?=\s+{_TELLING_BN}(?!\S))"
    # A name said unsure of itself: "ডিপসিক না কী যেন নাম", "deepseek or whatever it's called".
    r"|(?:\s+না)?\s+(?:কী|কি)\s+(?:যেন|জানি)\s+নাম(?:টা|টি)?"
    r"|(?:\s+na)?\s+ki\s+(?:jeno|jani)\s+nam(?:ta)?\b"
    r"|,?\s+or\s+whatever\s+(?:it'?s|its|they'?re)\s+called\b"
    r"|,?\s+(?:what'?s|whats)\s+(?:it|its|their)\s+name\b",
    re.IGNORECASE)


# Every match holds one of these: most messages hold none and skip the pattern, which tries
# its many branches at every position (a tenth of a millisecond on a long message).
_MANNER_WORDS = ("english", "bangla", "bengali", "ইংরেজি", "ইংলিশ", "বাংলা", "ingreji", "inglish",
                 "plain", "simple", "easy", "layman", "সহজ", "সোজা", "sohoj", "shohoj", "soja",
                 "shoja", "নাম", "nam", "called", "name")


def without_manner(text: str) -> str:
    """`text` without the language or manner it asks to be answered in ("Explain Llama in
    plain English" is "Explain Llama"), or a name's hedge ("ডিপসিক না কী যেন নাম"): how
    it is said, never what is asked."""
    lowered = text.lower()
    if not any(w in lowered for w in _MANNER_WORDS) or not _IN_LANGUAGE.search(text):
        return text
    return _IN_LANGUAGE.sub(lambda m: m.group("keep") or "", text).strip() or text


def _after_a_colon(sentence: str) -> str | None:
    """The question after a sentence's last colon ("Quick one, my manager asked me this
    morning: what is Meta doing about DeepSeek?"): what came before announced it."""
    head, colon, tail = sentence.rpartition(":")
    if not colon or not head.strip() or len(tail.split()) < QUESTION_CLAUSE_WORDS:
        return None
    return tail.strip()


def without_concession(text: str) -> str | None:
    """`text` without what it concedes before asking ("এত সমালোচনার পরও কারা লামা চালায়?" is
    "কারা লামা চালায়?"); None when it concedes nothing."""
    stripped = _CONCEDING.sub("", text, count=1).strip()
    return stripped if stripped and stripped != text.strip() else None


def asks(text: str) -> bool:
    """Whether `text` asks: a question mark or a question word ("জানতে চাই, লামা কী।")."""
    return "?" in text or _ASKING.search(text) is not None


# A formal request asks in the imperative or says it will be grateful: "আলোকপাত করুন",
# "জানাইলে বাধিত হইব।"
_REQUESTING = frozenset("বাধিত কৃতজ্ঞ কৃতার্থ উপকৃত অনুগ্রহপূর্বক করুন দিন বলুন জানান জানাবেন "
                        "জানাইবেন বলিবেন করিবেন দিবেন লিখুন ধরুন".split())


def requests(cleaned: str) -> bool:
    """Whether a cleaned text makes a formal request ("আলোকপাত করুন", "...বাধিত হইব")."""
    return not _REQUESTING.isdisjoint(cleaned.split())


def sentences(message: str) -> list[str]:
    """The sentences of `message`, each with the mark that ends it."""
    return [s.strip() for s in _SENTENCE_END.split(message) if s and s.strip()]


def question_parts(message: str) -> list[str]:
    """The parts of `message` most likely to hold its question, most likely first.

    Empty for a short message: match it whole. Otherwise: what follows each lead-in
    ("তো", "so", "প্রশ্ন হলো"; the last first), sentences with a question mark (last
    first), the last sentence, then each question with the sentence before it.
    """
    if len(message.split()) < MIN_WORDS:
        return []
    parts: list[str] = []
    # The last few lead-ins only: each part is matched, and "so so a so so b ..." must not
    # make a message cost hundreds of matches.
    for lead_in in list(_LEAD_IN.finditer(message))[:-MAX_LEAD_INS - 1:-1]:
        # Any space, not only " ": a no-break space or a tab is not a word either.
        after = _EDGES.sub("", message[lead_in.end():])
        first = after.split(maxsplit=1)[0].lower() if after else ""
        if lead_in.group().strip(" ,।;:!?—-").lower() == "so" and first in _NOT_AFTER_SO:
            continue  # "so far", "so much": not "so, my question is"
        if len(after.split()) >= 2:  # not the "তো" of a closing "বলো তো?"
            # The lead-in's own sentence first: the story may go on after it.
            sentence = _SENTENCE_END.split(after, maxsplit=1)[0].strip()
            # ...when it asks: "লামার তো শুনছি শত কোটি ডাউনলোড।" is a "তো" of emphasis.
            asking = sentence.endswith("?") or _ASKING.search(sentence)
            parts += [sentence, after] if len(sentence.split()) >= 2 and asking else [after]
    said = sentences(message)
    asking = [i for i in reversed(range(len(said))) if said[i].endswith("?")]
    for i in asking:
        if i > 0 and (_STORY_POINTER.search(said[i]) or _opens_pointing(said[i])):
            # "...ছবি আর আওয়াজ বোঝে। মেটা কি লামায় এরকম কিছু আনছে?": "এরকম" is the story's.
            parts.append(f"{said[i - 1]} {said[i]}")
        if (announced := _after_a_colon(said[i])) is not None:
            parts.append(announced)
        parts.append(said[i])
        if (clause := after_a_story(said[i])) is not None:
            parts.append(clause)
    # Then sentences that ask without a question mark.
    parts += [said[i] for i in reversed(range(len(said)))
              if i not in asking and _ASKING.search(said[i])]
    if said:
        parts.append(said[-1])
    # "...মেটাও ওয়ার রুম বানিয়েছে। ওরা এটা কেন করল?": the question leans on the sentence
    # before it.
    parts += [f"{said[i - 1]} {said[i]}" for i in asking or [len(said) - 1] if i > 0]
    unique: list[str] = []
    for part in parts:
        if part not in unique and part != message.strip():
            unique.append(part)
    return unique[:MAX_PARTS]
