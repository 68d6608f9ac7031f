"""Answer a message as a turn of a conversation: follow-ups, "tell me more", picks, compounds.

"লামাকন কী?" then "কবে?": the second message means "লামাকন কবে?". A `Context`
holds what a conversation needs to read such turns (the facts answered, the
"did you mean" choices on offer, the last question) and is passed in and out,
so where it is kept (a database shared by replicas) is the adapter's business.

A clear question is always answered on its own: context only reads what
cannot stand alone (a question word, a pronoun, another subject's name alone,
"আরও বলো", "হ্যাঁ", "২").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property

from bot.core.answer import (
    ACKNOWLEDGED_TEXT,
    NOTHING_ACCEPTED_TEXT,
    NOTHING_REFUSED_TEXT,
    SIGNIFIES,
    Answer,
    AnswerKind,
    Responder,
    holds_word,
)
from bot.core.asks import Asked
from bot.core.choices import (
    LAST,
    MAX_CHOICE_WORDS,
    NONE_OF_THEM,
    OF_THESE,
    REFUSING,
    chosen,
    position,
    refuses_all,
    typed_number,
)
from bot.core.focus import sentences, without_concession, without_manner
from bot.core.function_words import ADDRESSED, PERSON_POINTERS, THING_POINTERS
from bot.core.knowledge import Entity, Fact
from bot.core.match import VERB_ENDINGS, Scored
from bot.core.normalize import Key, clean, make_key, phrases, surface_word

# A context older than this, or this many turns without a fact, is forgotten.
EXPIRY = timedelta(minutes=15)
MAX_IDLE_TURNS = 5
# How far into an English question its auxiliary may come: "how many times has".
INVERSION_WORDS = 4
# A follow-up pointing at the last answer stays with it unless another fact leads by this much.
STAY_MARGIN = 12.0
# ...unless a related fact leads by this much on the follow-up's own words.
NEXT_DOOR_LEAD = 6.0
# A fact a follow-up is read into must hold this much of the message's own words.
HOLDS_NONE = 0.2
# A word weighing this much (its idf; grammar-like words weigh under 1) tells a fact apart.
STRADDLE_WEIGHT = 1.5
# A short question's own words (besides question words and grammar), at most.
SHORT_OWN = 2
# Clauses of one message read as questions of their own, at most: each is matched.
MAX_QUESTIONS = 12


@dataclass(frozen=True)
class Context:
    """What one conversation (a private chat, or one user in a group) remembers."""

    facts: tuple[str, ...] = ()  # facts answered, the latest last
    shown: tuple[str, ...] = ()  # every fact shown in this conversation ("more" skips them)
    choices: tuple[str, ...] = ()  # the "did you mean" facts on offer
    question: str = ""  # the last question, as resolved ("লামাকন কী কবে")
    offered: str = ""  # the question `choices` were offered for, as logged (a gap if refused)
    # The questions under the last reply when they are neither `choices` nor its fact's
    # related ones (a fallback's, "the article does not say"'s): a number picks them too.
    listed: tuple[str, ...] = ()
    idle: int = 0  # turns since the last fact
    at: datetime | None = None  # when it was last updated

    @property
    def fact(self) -> str | None:
        return self.facts[-1] if self.facts else None

    def alive(self, now: datetime) -> bool:
        return self.at is not None and now - self.at <= EXPIRY and self.idle < MAX_IDLE_TURNS


class _More(StrEnum):
    """Whether a message asks for more of the last answer."""

    NO = "no"
    YES = "yes"
    LOOSELY = "loosely"  # only if it names no fact by itself: "anything else on the legal side?"


class TurnKind(StrEnum):
    ANSWER = "answer"  # answered on its own
    FOLLOW_UP = "follow_up"  # read with the context's question
    COMPOUND = "compound"  # several questions in one message, one answer each
    PICK = "pick"  # a "did you mean" choice by words ("হ্যাঁ", "২", "প্রথমটা")
    REJECT = "reject"  # none of the choices ("না", "none"): a gap to log
    MORE = "more"  # "আরও বলো": the next related fact not shown yet
    NO_MORE = "no_more"  # "আরও বলো" with nothing left to tell
    OUT_OF_RANGE = "out_of_range"  # a number beyond the questions on offer: still on offer


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    answers: tuple[Answer, ...]  # one, or one per part of a compound question
    context: Context
    rejected: tuple[str, ...] = ()  # REJECT: the choices the user turned down
    resolved: str = ""  # FOLLOW_UP: the question as it was read

    @property
    def answer(self) -> Answer:
        return self.answers[0]


_YES = phrases("হ্যাঁ|হ্যা|হা|হুম|হু|জি|জ্বি|জী|ঠিক|ঠিক আছে|হ্যাঁ ভাই|হ্যাঁ এটাই|এটাই|ওটাই|yes|yeah|yep|"
               "yup|ya|ha|haa|hum|hmm|ji|sure|right|correct|thik|thik ache|eta|etai|yes please")
_NO = phrases("না|নাহ|নাহ্|না না|না ভাই|কোনোটাই না|কোনটাই না|কোনোটা না|কোনটা না|কোনোটাই নয়|এগুলোর "
              "কোনোটাই না|এসব না|no|nope|nah|na|none|none of these|none of them|neither|"
              "kono tai na|konotai na|kono ta na|eshob na")
_MORE = phrases("আরও বলো|আরো বলো|আরও বলুন|আরো বলুন|আরও|আরো|আর কিছু|আর কী|আর কি|আর কিছু বলো|"
                "আর কিছু আছে|বিস্তারিত|বিস্তারিত বলো|বিস্তারিত বলুন|আরও বিস্তারিত|আরও জানতে চাই|"
                "তারপর|তারপর কী|more|tell me more|more please|anything else|what else|details|"
                "go on|continue|aro bolo|aro|aro kichu|ar kichu|ar ki|bistarito|bistarito bolo|"
                "aro bistarito|tarpor|tarpor ki|then|and then|then what|what then|what next|"
                "next|so then|অন্য কিছু|অন্য কিছু আছে|onno kichu|onno kisu|onno kicu|"
                "anything more")
_MORE_CHARS = 2 * max(map(len, _MORE))  # a longer message is no bare "more" (spaces, signs)
# "ok", "বুঝলাম" with nothing offered to choose from: a nod, not a question the bot failed.
_ACKNOWLEDGED = phrases("ok|okay|oky|okk|okey|k|ওকে|ওকে ভাই|অকে|হুম|হুমম|হুম্ম|hmm|hm|hmmm|আচ্ছা|"
                        "ও আচ্ছা|আচ্ছা ঠিক আছে|ঠিক আছে|ঠিক আছে ভাই|বুঝলাম|বুঝছি|বুঝেছি|বুঝতে পেরেছি|"
                        "বুঝসি|বুঝছি ভাই|হ্যাঁ|হ্যা|হুঁ|জি|জ্বি|yes|yeah|yep|ya|got it|i see|cool|nice|"
                        "alright|all right|accha|acha|achha|o accha|thik ache|thik ase|bujhlam|"
                        "bujhchi|bujhsi|bujhechi|ji|hu|hum|ok bhai|okay thanks|ok thanks|fine")
_ACKNOWLEDGED_CHARS = 2 * max(map(len, _ACKNOWLEDGED))  # a longer message is no bare nod
# "আরও কিছু জানান", "aro details dao plz", "tell me more about it": a word asking for more,
# the rest grammar, words of telling, or the subject being talked about.
_MORE_WORDS = phrases("আরও|আরো|আরেকটু|আরেকটা|বিস্তারিত|বিস্তারিতভাবে|তারপর|বাকি|বাকিটা|চালিয়ে|"
                      "more|details|detail|continue|elaborate|expand|further|else|additional|"
                      "moar|mor|aro|arektu|bistarito|tarpor|baki|chaliye|next|পরের|porer|"
                      "অধিকন্তু|উপরন্তু|aroo|arro|aaro|extra|অতিরিক্ত|পরেরটা|পরবর্তী|porerta|"
                      "deeper|গভীরে|বাকিটুকু|update|updates|আপডেট|হেরপর|তৎপরে|তারপরে|tarpore|"
                      "contnue|contine|continu|rest|remaining|বাকিগুলো|বাকিগুলা|bakita|bakigula|"
                      "point|points|পয়েন্ট|everything|sob|সব|সবটা|sobta|erpor|erpore|এরপর|এরপরে|"
                      "tarbade|তারবাদে|tarpr|mroe|moer|aru|aaru|আরু|expanding|elaborating|অতঃপর|"
                      "বাকিগিন|পুরোটা|পুরোটাই|purota|puro")
_TELLING = phrases("বলো|বল|বলেন|বলুন|কও|কন|ক|কইন|জানাও|জানান|জানতে|জানা|চাই|দিন|দাও|দেন|তথ্য|"
                   "লিখো|লেখো|লিখুন|লিখেন|লেখেন|লিখ|likho|lekho|write|"
                   "কিছু|কিচু|কিসু|কিতা|কুনতা|শুনি|শোনাও|ব্যাখ্যা|খুলে|যান|যাও|যায়|যাবে|পারবেন|"
                   "পারবে|পারো|অনুগ্রহ|ইনফো|নি|গো|tell|tel|me|give|info|information|go|going|"
                   "keep|on|ok|okay|please|plz|pls|about|anything|something|dao|din|den|bolo|"
                   "করো|করেন|করুন|koro|koren|korun|hmm|হুম|"
                   "bol|bolen|ko|koo|kon|koin|janao|janan|jante|jana|jay|chai|kichu|kisu|kicu|"
                   "kita|tottho|totho|shuni|kou|ase|আছে|ache|lagi|লাগি|ita|ইতা|"
                   "bit|a|little|abit|হঅ|কওকছাইন|কনচাইন|কইবা|কইবেন|context|background|"
                   # formal "wish to know", spoken "open it up", Sylheti "say" ("আরো ক'ন")
                   "ইচ্ছুক|আগ্রহী|খুইলা|খুলিয়া|খোলাসা|কহেন|কহো|ন|kohen|kichhu|kicchu|khuila|"
                   # a compliment or thanks around the request ("দারুণ, আরও বলো", "wow, more")
                   "wow|darun|দারুণ|অসাধারণ|চমৎকার|বেশ|ভালো|ভাল|valo|bhalo|laglo|লাগলো|লাগল|"
                   "interesting|nice|great|cool|awesome|amazing|খুব|khub|thanks|thank|ধন্যবাদ|"
                   "dhonnobad|gimme|can|u|you|could|would|mind|share|provide|jano|জানো|"
                   # what the request is of: "this topic", "এ বিষয়ে", "that's all?"
                   "topic|বিষয়|বিষয়টা|বিষয়টি|বিষয়ে|bishoy|bishoye|সম্পর্কে|sombondhe|"
                   "nai|নাই|নেই|all|it|that|thats|this|এইটুকুই|এটুকুই|"
                   # "তারপর কী হইল?" (then what happened?)
                   "hoilo|hoise|হইছে|হইল|হইলো|হলো|হল|happened|থাকলে|থাকিলে|thakle|জানালে|"
                   "জানাইবেন|koiben|koyen|কয়েন|আচ্ছা|accha|acha|achha|ঠিক|thik|kicho|ektu|"
                   "একটু|jao|বাদ|পড়েছে|পড়ল|এতদ্বিষয়ে|জানিতে|ইচ্ছা|ইচ্ছে|করি|অংশ|অংশটা|অংশটি|"
                   "part|uttor|উত্তর|appreciate|if|khule|আগ্রহ|বুঝছি|বুঝলাম|বুঝসি|bujhlam|"
                   "bujhchi|bujhsi|hlo|oilo|অইলো|ওইলো|হইলে|moja|মজা|eituku|এইটুকু|nei|ksiu|one|"
                   "explanation|explain|করছেন|সুন্দর|sundor|গুলা|গুলো|অংশটুকু|বর্ণনা|করিয়া|যোগ|"
                   "করার|চাইন|লিস্ট|লিস্টের|list|info|দিলে|dile|হয়|আপু|apu|শুনতে|shunte")
# Verbs of telling in any form ("বলবি", "কইবা", "জানাবে", "জানো").
_TELLING_STEMS = ("বল", "জান", "কই", "শোন", "শুন", "bol", "jan", "koi", "shon", "shun")
# Saying: "কবে কইছে?", "kobe bolse?", "when did he say it?".
_SAYING = ("বল", "কই", "কয়", "bol", "koi", "koy", "say", "said", "told", "mention", "hint")
# "আর কিছু?", "আর কী কী জানা যায়?", "what else?": "and what / and some" asks for more.
_ELSE = phrases("আর কী|আর কি|আর কোনো|আর কোন|আর কিছু|আর একটু|আর কিতা|আর কিসু|আর কিচু|ar ki|r ki|r kichu|"
                "ar kono|ar kichu|ar kisu|ar kicu|ar kita|ar ektu|what else|anything else|"
                "keep going|go on|and then|wat else|wht else|anythng else|anyting else|"
                "r kono|r onno|অন্য কোনো|অন্য কিছু|onno kono|onno kichu|any other|which other|"
                "what other|that all|thats it|nothing more|after that|left off|বলতে থাকুন|"
                "বলতে থাকো|bolte thako|"
                "বলে যান|bole jan|bole jao|থামবেন না|এর বেশি|er beshi|er besi")
_ELSE_WORDS = frozenset(w for phrase in _ELSE for w in phrase.split())
# A message of this alone asks to go on: "আর?", "and?".
_AND = phrases("আর|and|ar|r")
# A sentence opening with these goes on to another question ("আর ...", "also ...").
_AND_OPENERS = _AND | phrases("এবং|আরও|আরো|also|plus|তাছাড়া|এছাড়া|pashapashi|পাশাপাশি")
# "like which OpenAI model?": what the last answer compares its subject with, or which one.
_LIKE_WHICH = phrases("মতো|মত|মতোই|মতন|তুলনা|তুলনীয়|সমান|কোন|কোনটা|কোনটি|কার|কাদের|like|"
                      "comparable|compared|similar|which|whose|moto|motoi|moton|tulona|kon|"
                      "konta|kar|kader")
# Words for a company or the people of one: "ওরা", "ওই ল্যাবটা", "that firm".
_THEM = phrases("ওরা|ওদের|ওরাই|তারা|তাদের|হেরা|হেরার|উহারা|উহাদের|ora|oder|tara|tader|hera|"
                "they|them|their|কোম্পানি|কোম্পানিটা|কোম্পানিটি|প্রতিষ্ঠান|প্রতিষ্ঠানটি|"
                "প্রতিষ্ঠানটা|সংস্থা|সংস্থাটি|ল্যাব|ল্যাবটা|ল্যাবটি|company|firm|lab|startup|"
                "kompani")
# "besides this, any other ...?": another fact than the last answer.
# ("আর কোনো" is left out: it also asks for more of the same, "আর কোনো কোম্পানি?")
_OTHER_THAN = ("এর বাইরে", "এর বাইরেও", "এ ছাড়া", "এছাড়া", "এটা ছাড়া", "অন্য কোনো", "অন্য কোন",
               "besides", "other than", "apart from", "any other", "onno kono", "er baire",
               "eta chara", "র বাইরে", "ছাড়াও", "ছাড়া আর", "chara ar", "chara aro", "aside from",
               "beyond")
# "বাদ দাও, ...", "OK different question: ...": what follows is asked afresh, whatever the
# talk was about (and "বাদ" must not be read as "বাধা").
_SWITCH = re.compile(
    r"^\s*(?:(?:আচ্ছা|ঠিক আছে|হুম|ok|okay|acha|accha|achha|hmm)[\s,]+)?"
    r"(?:বাদ দাও|বাদ দেন|বাদ দিন|বাদ দে|যাক গে|যাকগে|অন্য প্রশ্ন|আরেকটা প্রশ্ন|নতুন প্রশ্ন|"
    r"অন্য কথায় আসি|অন্য প্রসঙ্গে আসি|অন্য কথা|onno kotha|"
    r"different question|another question|new question|"
    r"different q|another q|new q|one more q|another thing|different thing|one more thing|"
    r"diff q|diff question|diff topic|"
    r"change of topic|changing topics?|on another note|by the way|btw|bad dao|bad den|bad din|"
    r"onno proshno|onno prosno|arekta proshno|arekta prosno|jak ge|jakge|"
    r"switching (?:gears|topics?|subjects?)|switching to something else|switching(?=\s*[:,—-])|"
    r"unrelated(?:,? but)?|separate q(?:uestion)?|side q(?:uestion)?|quick q(?:uestion)?|"
    r"unrelated q(?:uestion)?|আলাদা প্রশ্ন|অন্য একটা প্রশ্ন|alada proshno|onno ekta proshno|"
    r"ভিন্ন প্রসঙ্গ|ভিন্ন প্রশ্ন|ভিন্ন কথা|"
    r"moving on|on a different note|different topic|new topic|another topic|"
    r"প্রসঙ্গ পাল্টাই|প্রসঙ্গ বদলাই|অন্য প্রসঙ্গ|অন্য বিষয়ে আসি|অন্য বিষয়|নতুন বিষয়|"
    r"যাই হোক|যাহোক|onno topic|onno bishoy|onno prosongo|jai hok|jaihok)"
    r"(?:[\s,:;.!।—-]+|$)", re.IGNORECASE)
# "ওটা ছাড়া, ...", "apart from that, ...": a switch when what follows asks of something.
_APART = re.compile(
    r"^\s*(?:(?:আচ্ছা|ঠিক আছে|ok|okay|acha|accha|achha)[\s,]+)?"
    r"(?:(?:ওটা|ওইটা|ঐটা|এটা|এইটা|সেটা|সেইটা|oita|ota|eta|eita|seta|sheta)\s+"
    r"(?:ছাড়া|বাদে|বাদ দিয়ে|chara|chhara|bade|bad diye)|"
    r"apart from (?:that|this)|besides (?:that|this)|other than (?:that|this)|"
    r"aside from (?:that|this))(?:[\s,:;.!।—-]+|$)", re.IGNORECASE)
# "ok last one: ...", "শেষ প্রশ্ন, ...": a preface, not a question; unlike a switch it keeps the
# talk's subject ("last question: when is it?").
_PREFACE = re.compile(
    r"^\s*(?:(?:আচ্ছা|ঠিক আছে|ok|okay|acha|accha|achha|and|আর)[\s,]+)?"
    r"(?:(?:one )?last (?:one|question|q|thing)|final (?:one|question|q)|শেষ প্রশ্ন|"
    r"শেষ একটা প্রশ্ন|last proshno|shesh proshno|sesh proshno)"
    r"[\s,:;.!।—-]+", re.IGNORECASE)
# A message's opening words up to its first mark ("ও দাদা, আরেকটা প্রশ্ন আছে, ..."), at most
# a few words, and what follows it.
_OPENING = re.compile(r"^\s*([^,:;।.!?—–-]{1,60}?)\s*[,:;।.!?—–-]+\s+(?=\S)")
# Words of talking about the talk: "another question", "অন্য প্রসঙ্গ", "off topic".
_TALK = phrases("প্রশ্ন|প্রশ্নটা|question|q|qs|proshno|prosno|প্রসঙ্গ|prosongo|বিষয়|বিষয়ে|"
                "bishoy|topic|subject|thing|কথা|kotha|জানার|জানতে|ছিল|ছিলো|chilo|করি|kori|করছি|"
                "korchi|আছে|ache|achhe|শুনুন|শোনেন|sunun|shunun|listen|মাফ|করবেন|sorry|ধন্যবাদ|"
                "thanks|thank|আচ্ছা|accha|achha|achaa|acha|ঠিক|thik|ok|okay|k|আপা|আপু|apu|দাদা|"
                "dada|ভাই|bhai|এবার|ebar|এখন|ekhon|বলি|boli|কই|koi|that|এইটা|এইডা|ওটা|oita|bad|"
                "dao|দেন|den|সাহায্য|help|অনুগ্রহ|করুন|জিজ্ঞেস|jiggesh|জিজ্ঞাসা|wait|hey|hi|so|"
                "and|oh|ও|অ")
_ANOTHER = phrases("অন্য|অন্যান্য|আরেকটা|আরেকটি|আরেকগান|আর একটা|ভিন্ন|আলাদা|নতুন|another|different|new|"
                   "next|separately|unrelated|off|change|changing|forget|বাদ|থাক|থাউক|thak|onno|"
                   "arekta|alada|notun|vinno|ar ekta")
# Asking why, and the words an answer gives a reason in ("কারণ", "উদ্দেশ্য", "so that").
_WHY = phrases("কেন|কেনো|ক্যান|ক্যানো|কিল্লাই|কিয়ল্লাই|কেনে|ক্যানে|কিয়র লাই|keno|kano|kno|ken|why|y|killai")
_REASON = phrases("কারণ|কারণে|কারণেই|কেননা|উদ্দেশ্য|উদ্দেশ্যে|লক্ষ্য|লক্ষ্যে|যাতে|ফলে|তাই|because|reason")
# A genitive typed apart from a name: "deepseek er", "Meta এর", "google's" split.
_ENDING_APART = {("er",), ("এর",), ("r",), ("s",)}
# Words at most in a request for more that brings words of its own ("sheii, aro bolo bhai").
MORE_WITH_WORDS = 8
# Openings at most read before a question ("ok, thanks. another question: ..."): a message
# of many commas is no chain of openings, and each costs a key.
MAX_OPENINGS = 4
# Words that ask without saying about what: a message of these alone is a follow-up.
_QUESTION_WORDS = phrases(
    "কবে|কখন|কেন|কারা|কে|কাকে|কার|কত|কতো|কয়টা|কোথায়|কই|কীভাবে|কিভাবে|কেমনে|কী|কি|কোনটা|কোন|"
    "কেমন|সত্যি|তাই|আচ্ছা|তাহলে|তো|আর|when|why|who|whom|whose|how|how much|how many|where|"
    "what|which|really|so|and|then|whats|wats|wht|wut|whts|whens|hows|wheres|whos|whys|"
    "kobe|kokhon|keno|kano|kara|ke|koto|koyta|kothay|koi|kivabe|"
    "kibhabe|kemne|ki|konta|kon|kemon|sotti|tahole|ar|বছর|বছরে|সালে|সাল|তারিখ|তারিখে|দিন|শহরে|"
    "দেশে|year|date|day|month|মাস|মাসে|mash|mashe|city|country|bochor|sale|tarikh|reason|কারণ|karon|"
    # "compared to what?", "মানে?": asking what the last answer meant.
    "compared|compare|তুলনায়|তুলনা|মানে|mane|mean|means|meaning|কিসের|কীসের|kiser|tulonay|"
    "অর্থাৎ|orthat|ortha|"
    # inflected: how much, how many (people, times), which one
    "কতটা|কতটুকু|কতখানি|কতগুলো|কতজন|কয়জন|কয়টি|কতবার|কয়বার|কোনটি|কোনগুলো|কীসে|কিসে|কেনো|"
    "kotota|kototuku|kotojon|koyjon|kotobar|koybar|"
    # Sylheti and other speech: "কুনদিন?" (when), "কিতা?" (what); "কোথাকার?" (from where)
    "কুন|কুনদিন|কিতা|kun|kundin|kita|কোথাকার|kothakar|"
    # why, what, how in Sylheti and Chittagonian: "কেনে আটকাইলো?", "কিয়র লাই?", "কিয়া অইয়ে?"
    "কেনে|ক্যানে|কিয়র|কিল্লাই|কিল্লায়|কিয়া|কিয়ারে|কেন্নে|কেমতে|কিভা|কুনখানো|kene|"
    "kiyor|killai|kiya|kenne|kemte|"
    # for whom, what kind, within what time, similar to what
    "কাদের|kader|kar|kake|কাহার|কাহাদের|কাহাকে|ধরনের|ধরণের|dhoroner|dhoroner|রকম|rokom|kind|type|সময়|সময়ে|somoy|somoye|"
    "somoyer|similar|like what")
# Of those, the words that ask only in a follow-up of a word or two ("কোন বছর?", "mane?",
# "আর?"): in a sentence they are its nouns and links ("গত কয়েক মাসে এসেছে", "first year e
# pori"), and a story's sentence must not pass for a question of its own.
_ASKING_ONLY_ALONE = phrases(
    "সত্যি|তাই|আচ্ছা|তাহলে|তো|আর|really|so|and|then|sotti|tahole|ar|বছর|বছরে|সালে|সাল|তারিখ|"
    "তারিখে|দিন|শহরে|দেশে|year|date|day|month|মাস|মাসে|mash|mashe|city|country|bochor|sale|"
    "tarikh|reason|কারণ|karon|compared|compare|তুলনায়|তুলনা|মানে|mane|mean|means|meaning|"
    "অর্থাৎ|orthat|ortha|ধরনের|ধরণের|dhoroner|রকম|rokom|kind|type|সময়|সময়ে|somoy|somoye|"
    "somoyer|similar")
_INTERROGATIVES = _QUESTION_WORDS - _ASKING_ONLY_ALONE
# they, their in Chittagonian, Sylheti, Barishal and Rangpur speech: "হিতারা কন্ডে?"
_REGIONAL_THEY = ("হিতারা|হিতারার|হিতারারে|ইতারা|ইতারার|ইতারারে|হেরা|হেরার|হেগোর|ওগোর|ওগের|"
                  "তাগোর|হেতারা|হেতারার")
# Words that point back at what was just said: "এটা কি ফ্রি?", "এর লাইসেন্স?", "is it free?".
_POINTERS = phrases(_REGIONAL_THEY + "|" +
                    "এটা|এটি|ওটা|ওটি|সেটা|সেটি|এর|ওর|এটার|ওটার|এদের|ওদের|এগুলো|ওগুলো|এই|ওই|ঐ|সেই|তারা|এরা|ওরা|"
                    # formal "the said": "উক্ত প্রতিষ্ঠানটি কোন দেশের?"
                    "উক্ত|উল্লিখিত|ukto|"
                    # sadhu and Dhaka speech: "ইহা কাহার নির্মিত?", "ওগো লাইসেন্সে...", "ওইটায় কী হইবো?"
                    "ইহা|উহা|ইহার|উহার|ইহাদের|উহাদের|ওগো|হেগো|তাগো|ওইটায়|এইটায়|ওটায়|এটায়|"
                    "it|its|it's|this|that|they|them|their|these|those|eta|ota|seta|er|etar|otar|eder|oder|egula|"
                    "ogula|ei|oi|oigula|oigulo|eigula|eigulo|ita|oita|eita|"
                    # spoken forms: "ইতা কিতা বুঝবো?" (Sylheti), "ওইগুলা", "এইডা"
                    "ইতা|ইটা|হেইটা|হেইডা|এইডা|ওইডা|ওইগুলা|ওইগুলো|এইগুলা|এইগুলো|ঐগুলো|এইটা|ওইটা|ঐটা|সেইটা|"
                    "এইটার|ওইটার|eitar|oitar|হেইটার|"
                    # these, in every case: "ভবিষ্যতে এইগুলির গুরুত্ব কী?", "egular daam koto?"
                    "এগুলোর|ওগুলোর|সেগুলো|সেগুলোর|এগুলি|ওগুলি|সেগুলি|এগুলির|ওগুলির|সেগুলির|এইগুলি|ওইগুলি|"
                    "এইগুলির|ওইগুলির|এইগুলোর|ওইগুলোর|এইগুলার|ওইগুলার|এগুলার|ওগুলার|এগুলোতে|ওগুলোতে|"
                    "সেগুলোতে|egulo|ogulo|segulo|egular|ogular|egulor|ogulor|eigular|oigular|"
                    # sadhu "in it": "উহাতে কি মেটা অনুমতি লইয়াছিল?"
                    "উহাতে|ইহাতে|তাহাতে|"
                    # these things: "এইসব থেকে কী শিখা যায়?"
                    "এসব|ওসব|সেসব|এইসব|ওইসব|ঐসব|এসবের|ওসবের|সেসবের|এইসবের|ওইসবের|esob|eisob|oisob|esober|"
                    # "এত টাকা কেন?", "keno eto taka?": so much, as just said.
                    "এত|এতো|অত|অতো|এতগুলো|eto|oto|so much|that much|so many")
# Words that address the bot: "তোমাকে কে বানাইছে?" asks who made the bot, not the last subject.
_ADDRESSED = phrases("|".join(ADDRESSED) + "|আছো|আছেন|আছিস|acho|achen|achis|aso|asen")
# Words that point at a person: "উনি কী বলেছেন?", "when did he say it?"; pointers too.
_PERSON_POINTERS = phrases("|".join(PERSON_POINTERS))
# there: "ওইখানে কি পুরো বাতিল হইছে?", "okhane ki launch hobe?"
_PLACE_POINTERS = phrases("ওখানে|ওইখানে|সেখানে|ওইহানে|হেইখানে|ওখান|ওইখান|সেখান|সেথায়|okhane|"
                          "oikhane|sekhane|shekhane|okhan|oikhan|sekhan|shekhan|sethay")
_POINTERS = _POINTERS | _PERSON_POINTERS | _PLACE_POINTERS
_DETERMINERS = phrases("এই|ওই|ঐ|সেই|উক্ত|উল্লিখিত|ei|oi|sei|ukto|this|that|these|those")
# "these two", "both", "দুটো মিলিয়ে": the last two answers together, not the last one.
_SEVERAL = phrases("দুটো|দুটি|দুইটা|দুটোই|দুটিই|দুইটাই|দুটোর|দুটির|দুইটার|দুই|উভয়|উভয়ের|মিলিয়ে|"
                   "মিলায়া|মিলাইয়া|both|two|together|combined|duto|duti|duita|duitai|dutoi|"
                   "dui|milie|milaye|milaya")
# "these" after two answers: "এগুলোর তাৎপর্য কী?", "what do these show?" (not "these war
# rooms", a determiner before what it points at).
_THESE_PRONOUNS = phrases("এগুলো|এগুলোর|এগুলা|এগুলার|এগুলি|এগুলির|এইগুলো|এইগুলোর|এইগুলি|এইগুলির|"
                          "এইগুলা|egulo|egular|egula|eigulo|eigula")
_THESE = _THESE_PRONOUNS | phrases("এসব|এসবের|এইসব|এইসবের|eshob|esob|these")
# "এটা আসলে কী জিনিস?", "what is it exactly?": what the subject itself is, beside a pointer.
_WHAT_IT_IS = phrases("কী|কি|কিতা|কিয়া|ki|kii|kee|what|whats|what's|is|জিনিস|জিনিসটা|জিনিসটি|"
                      "বস্তু|jinis|jinish|jinishta|jinista|thing|exactly|actually|really|"
                      "basically|আসলে|মূলত|আসলেই|asole|ashole|mulot|তাহলে|তো|tahole|to|so")
# "since": "কবে থেকে?", "kobe theke?", "since when?" ask when something began.
_SINCE = phrases("থেকে|থিকা|থিকে|থেইকা|থাইকা|হইতে|theke|thika|thike|theika|thaika|hoite|since")
# What followed from the last answer: "ফলে মেটা কী করছে?", "as a result, what did Meta do?".
# Of a follow-up only: in one message "..., এতে ওদের লাভটা কী?" goes on asking the same.
_FOLLOWING_FROM = phrases("ফলে|ফলস্বরূপ|ফলশ্রুতিতে|তাতে|এতে|phole|tate|ete|as a result")
# "it", not "they": a thing, where "ওদের" after Llama's maker points at the maker.
_THING_POINTERS = phrases("|".join(THING_POINTERS))
# "they": a company the last answer is the fact of ("ওদের বাজেট কত?" after DeepSeek's).
_GROUP_POINTERS = phrases("ওরা|ওদের|তারা|তাদের|এরা|এদের|ওগো|তাগো|হেগো|they|them|their|"
                          "ora|oder|tara|tader|era|eder|" + _REGIONAL_THEY)
# Clause breaks of a message that asks several things.
# "is it only for Llama?": a question of how far the last answer reaches.
_ONLY = phrases("শুধু|খালি|হুদা|কেবল|কেবলমাত্র|শুধুমাত্র|only|just|solely|sudhu|shudhu|khali|kebol")
# The words of a list's last item the question before it asks about ("and open source?").
OBJECT_WORDS = 3
_AND_BEFORE = re.compile(r"\s(?:and|আর|এবং|ও|ar|ebong)\s*$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[?।;\n!]+|,|:(?=\s)|\.(?=\s|$)|\s[+&]\s|\s[-–]\s|—"
    r"|\s(?:আর|এবং|ও|আর তাছাড়া|তাছাড়া|তাছাড়াও|এছাড়া|এছাড়াও|and|also|plus|ar|ebong|abong)\s"
    # "সাথে" (also), but not after a possessive: "লামার সাথে" is "with Llama"
    r"|(?<!র\s)(?<=\s)(?:সাথে|সঙ্গে)\s"
    # "kobe r meta...": a romanized "r" (and) after a question word, not "llama r" (Llama's)
    r"|(?:" + "|".join(f"(?<=\\s{w})" for w in ("kobe", "ki", "keno", "koto", "kothay", "kara",
                                                 "ke", "kon")) + r")\s+r\s",
    re.IGNORECASE,
)
# What a company is called as one: "ডোরড্যাশ কিসের কোম্পানি?" names no more than DoorDash.
_COMPANY = phrases("কোম্পানি|কোম্পানির|কোম্পানিটা|প্রতিষ্ঠান|company|companies|firm|kompani|"
                   "company'r|companyr")
# Asking for an example of what was just said: "উদাহরণ?", "যেমন?", "examples?".
_EXAMPLE = phrases("উদাহরণ|উদাহরণস্বরূপ|উদাহরণ হিসেবে|দৃষ্টান্ত|যেমন|নমুনা|udahoron|udaharan|"
                   "udahoran|udahron|example|examples|eg|instance|instances|jemon|jemn")
_NAMED = _COMPANY | phrases("নাম|naam|nam|name|names")
_COMPANY_STEMS = frozenset(make_key(" ".join(_COMPANY)).stems)
# Whether something is over: "settled?", "মামলাটা কি শেষ?", "রায় হইছে?", "still ongoing?".
_OVER = phrases("শেষ|sesh|shesh|over|ended|finished|settled|settlement|নিষ্পত্তি|মীমাংসা|রায়|"
                "ray|raay|verdict|ruling|decided|চলছে|চলমান|চলতেছে|চলতেসে|চলতাছে|cholche|"
                "choltese|cholteche|choltase|ongoing|pending|মিটমাট|mitmat")
# ...asked as more than yes or no: when, where, who won ("রায় কবে?", "kon court e pending?").
_ASKING_MORE = phrases("কবে|কখন|কে|কারা|কাদের|কোন|কোথায়|কত|কীভাবে|কেন|কার|when|who|whom|which|"
                       "where|how|why|kobe|kokhon|kara|kon|kothay|koto|keno|kar|kun|কুন")
_WINNING = ("জিত", "হের", "হার", "jit", "har", "won", "win", "lost", "lose")
# "the company", the one just named: "...এবং প্রতিষ্ঠানটি কী ব্যবস্থা নিয়েছে?" (keyed as
# "company", the word is no pointer to the matcher)
_THE_COMPANY = phrases("প্রতিষ্ঠানটি|প্রতিষ্ঠানটা|কোম্পানিটি|কোম্পানিটা|সংস্থাটি|সংস্থাটা|kompanita|"
                       "companyta")
# Asking of the list that names them, not of them: "is AT&T on the list?", "besides Spotify?"
_OF_THE_LIST = phrases("তালিকা|তালিকায়|লিস্ট|লিস্টে|list|ছাড়া|ছাড়াও|বাদে|besides|except|other|"
                       "others|among|chara|charao|bade|onno|অন্য")
# Money in another currency than dollars: "আমাদের টাকায় কত?", "in rupees?".
_CURRENCY_IN = re.compile(
    r"টাকায়|টাকাতে|ট্যাকায়|টেকায়|টেহায়|রুপিতে|রুপিয়ায়|টাকার হিসাবে|টাকার হিসেবে|"
    r"\b(?:taka ?te|takay|takai|taka hi?sh?abe|in (?:taka|bdt|rupees?|inr)|bdt|inr|rupees?)\b",
    re.IGNORECASE)
_DOLLARS = re.compile(r"ডলার|\$|dollar|usd", re.IGNORECASE)
_EITHER = phrases("না|নাকি|কিংবা|বা|or|naki|na")
# Doing: "কী করছে?", "ki korlo?", "what is Meta doing?".
_DOING = re.compile(r"কর|kor|(?:do|does|did|doing|done)$", re.IGNORECASE)
# Someone asking, before what they ask: "আমার বোন জানতে চায় লামা কী".
_WANTS_TO_KNOW = re.compile(
    r"(?<!\S)(?:জানতে (?:চায়|চাইছে|চাচ্ছে|চাইল|চাইলো|চেয়েছে|চাইছিল|চাই|চাচ্ছি)|"
    r"জিজ্ঞেস করল|জিজ্ঞেস করলো|জিজ্ঞেস করছে|জিজ্ঞাসা করল|জিগাইল|জিগাইলো|জিগায়|"
    r"jante (?:chay|chaay|chaiche|chacche|chailo|chai)|jiggesh korlo|jigaise|jigailo|"
    r"wants to know|wanted to know|asked me|keeps asking|was asking)"
    r"(?:\s+(?:যে|je|that))?[\s,:]+", re.IGNORECASE)
# "three bullets:", "তিনটা পয়েন্ট রাখতে চাই:", "৩টা প্রশ্ন:": a count, up to three words, a colon.
_COUNT_ANNOUNCED = re.compile(
    r"(?<!\S)((?:two|three|four|[234২৩৪]|দুই|দুটো|দুটি|তিন|চার|duita|duto|duti|tinta|tin|"
    r"char|chari)(?:টা|টি|টে|টো|ta|ti|te)?(?:\s+\S+){0,3}?)\s*:(?=\s)", re.IGNORECASE)
# "1. llama ki", "- llamacon kobe", "• ...": the marker of a list item.
_LIST_MARKER = re.compile(r"^\s*(?:\d+[.)]|[-•*])\s+|(?<![\w.])\d{1,2}\)\s+", re.MULTILINE)
MAX_CLAUSES = 5
STORY_WORDS = 5
# Words after a question's "?" that may be an aside of the asker's ("নাম খালি শুনতেছি"); more
# is a story of its own, which may change what is asked.
ASIDE_WORDS = 4
# The share of "any other ..."'s own words the last answer's examples must hold for it to ask
# more of the answer's list.
HELD_BY_THE_LIST = 0.9
# A romanized "r" or a texted "n" (and); captured, so that parts rejoin as written.
_TEXTED_AND = re.compile(r"(\s+[rn]\s+)", re.IGNORECASE)


@dataclass
class Conversation:
    """Turns of a conversation read with their `Context`; one per knowledge version."""

    responder: Responder

    def reply(self, text: str, context: Context, now: datetime) -> Turn:
        """Answer `text` given `context`; the turn carries the context to keep."""
        turn = self._reply(text, context, now)
        listed = _listed(turn)
        if listed == turn.context.listed:
            return turn
        return replace(turn, context=replace(turn.context, listed=listed))

    def _reply(self, text: str, context: Context, now: datetime) -> Turn:
        # The responder reads no further either; every reading below costs per character.
        text = without_manner(text[: self.responder.policy.max_question_chars])
        context = self._current(context, now)
        if (switched := _SWITCH.match(text)) is not None and text[switched.end():].strip():
            # The talk moves on: answered as a first question, the facts shown still shown.
            text = text[switched.end():]
            context = replace(context, facts=(), choices=(), offered="", listed=())
        elif (preface := _PREFACE.match(text)) is not None and text[preface.end():].strip():
            text = text[preface.end():]
        elif (context.fact is not None and (apart := _APART.match(text)) is not None
              and self._asks_of_something(text[apart.end():])):
            # "accha oita chara meta AI te koto taka invest korche?": apart from that, another
            # question, answered as a first one.
            text = text[apart.end():]
            context = replace(context, facts=(), choices=(), offered="", listed=())
        elif context.fact is not None and (fresh := self._after_another(text)) is not None:
            # "আপা, আরেকটা প্রশ্ন:", "ok forget that,": a switch said in words of its own.
            text = fresh
            context = replace(context, facts=(), choices=(), offered="", listed=())
        # Only a context makes the words matter before matching; a first message (most
        # of them) keeps the question as the matcher cleaned it.
        words = clean(text) if context.choices or context.fact is not None else ""
        if context.choices and (turn := self._pick(words, context, now)) is not None:
            return turn
        if context.listed and (turn := self._pick_listed(text, context, now)) is not None:
            return turn
        if not context.choices and (turn := self._pick_related(words, context, now)) is not None:
            return turn
        if typed_number(text) is not None:
            # Nothing to pick by number (a first message, an expired context, a compound
            # answer's buttons): "1" asks no billion downloads.
            answer = self.responder.nothing_to_pick_answer(clean(text))
            return Turn(TurnKind.OUT_OF_RANGE, (answer,), replace(context, at=now))
        if (context.fact is None and not context.choices and len(text) <= _ACKNOWLEDGED_CHARS
                and clean(text) in _YES):
            # "হ্যাঁ" with nothing said to nod to (most often a "did you mean" that expired):
            # no 👍 as if a choice were taken, but that no offer is open.
            return self._acknowledged(text, context, now, NOTHING_ACCEPTED_TEXT)
        if not context.choices and len(text) <= _ACKNOWLEDGED_CHARS and (
                words or clean(text)) in _ACKNOWLEDGED:
            return self._acknowledged(text, context, now)
        if not context.choices and len(text) <= _ACKNOWLEDGED_CHARS and (
                words or clean(text)) in _NO:
            # "না" with no "did you mean" to turn down: no question the bot cannot answer
            return self._acknowledged(text, context, now, NOTHING_REFUSED_TEXT)
        # Unsure of a first question, then "who?", "who makes it?" or "more on this": the
        # first "did you mean" choice is what the talk is about.
        about = (replace(context, facts=context.choices[:1])
                 if context.fact is None and context.choices else context)
        more = _More.NO
        if about.fact is not None:
            more = _More.YES if words in _MORE else self._asks_more(text, about)
        if more is not _More.NO:
            about = self._more_about(text, about)
        if more is _More.YES:
            return self._more(about, now)
        if about.fact is None and len(text) <= _MORE_CHARS and clean(text) in _MORE:
            # "আরও বলো" with nothing said yet (or a context expired, or its fact removed by a
            # reload): what there is to tell, not "I don't know" (nor a gap for the admins).
            answer = self.responder.nothing_begun_answer(clean(text))
            return Turn(TurnKind.NO_MORE, (answer,), replace(context, at=now))
        if (about.fact is None and not _EXAMPLE.isdisjoint(clean(text).split())
                and self._asks_an_example(self.responder.matcher.key(text))):
            # "উদাহরণ?" with nothing said yet: not the one answer that says "উদাহরণ" in
            # passing (DeepSeek's), but what there is to tell.
            answer = self.responder.nothing_begun_answer(clean(text))
            return Turn(TurnKind.NO_MORE, (answer,), replace(context, at=now))
        if (turn := self._compound(text, context, now)) is not None:
            return turn
        answer = self.responder.ask(text, now)
        if answer.kind is not AnswerKind.FACT and (asked := self._before_an_aside(text)
                                                   or _after_who_asks(text)):
            # "ডিপসিক কী? নাম খালি শুনতেছি": what follows the question is said of the
            # asker ("I've only heard the name"), not asked; it must not pull the question
            # to another fact ("name") or none. "আমার ছোট বোন জানতে চায় লামা কী": who asks
            # ("my little sister") is no part of what is asked.
            alone = self.responder.ask(asked, now)
            if alone.kind is AnswerKind.FACT:
                text, answer = asked, alone
                words = clean(text) if words else ""
        if answer.kind is AnswerKind.FACT and self._of_a_name_only(text, answer.fact_id or ""):
            # "ডোরড্যাশের মালিক কে?": the adopters' fact names DoorDash, and tells nothing
            # else of it (what it is, who owns it); nor does the last answer, if it is theirs.
            answer = self.responder.not_in_article(text, (answer.fact_id or "",))
            return self._turn(TurnKind.ANSWER, (answer,), context, now, clean(text))
        if about.fact is not None and self._converted(text, about.fact):
            # "আমাদের টাকায় কত হয় সেটা?" after $80 billion: the article gives dollars only.
            answer = self.responder.not_in_article(text, (about.fact,))
            return self._turn(TurnKind.FOLLOW_UP, (answer,), about, now, clean(text),
                              resolved=text)
        person = self._person_pointed(words, about) if about.fact is not None else None
        if more is _More.LOOSELY and answer.kind is not AnswerKind.FACT and person is None:
            if self._others_of_its_list(text, about):
                return self._the_last_again(about, frozenset(), now)
            return self._more(about, now)
        if about.fact is not None and (self._leans_on_context(answer, words)
                                       or person is not None
                                       or self._asks_if_over_of(words, about.fact)
                                       or self._and_an_aspect(words, answer, about.fact)
                                       or self._response_of(words, about.fact) is not None):
            # "open source niye onar view ta thik ki?": "his", however well the message
            # reads alone (Meta's open-source strategy), is the last answer's person's; "what
            # is Meta doing about it?", however well it reads alone, is about the last answer
            turn = self._follow_up(text, words, answer, about, now)
            if (turn is not None and len(turn.answers) == 1
                    and turn.answer.kind is AnswerKind.FACT
                    and self._of_a_name_only(text, turn.answer.fact_id or "")):
                # "ডোরড্যাশ কিসের কোম্পানি?" after the adopters: read as theirs, still nothing
                # they tell of DoorDash
                told = self.responder.not_in_article(text, (turn.answer.fact_id or "",))
                return self._turn(TurnKind.FOLLOW_UP, (told,), about, now, clean(text),
                                  resolved=turn.resolved)
            if turn is not None and len(turn.answers) == 1 and (
                    unsure := self._straddling(turn.answer, text, words, about)) is not None:
                return self._turn(TurnKind.FOLLOW_UP, (unsure,), about, now, clean(text),
                                  resolved=turn.resolved)
            if turn is not None and more is _More.LOOSELY and self._told_again(turn, about):
                return self._more(about, now)  # "what else is coming?": not the same again
            if turn is not None:
                return turn
        answer = self._straddling(answer, text, words, about) or answer
        if about.fact is not None and (same := self._of_the_topic(answer, words, about)):
            return self._turn(TurnKind.FOLLOW_UP, (self.responder.answer_fact(same, now),),
                              about, now, words, resolved=text)
        if (about.fact is not None and answer.kind is AnswerKind.FACT
                and answer.fact_id not in (None, about.fact)
                and self._short_of_the_last(words, about.fact)):
            # "কোন মডেল দিয়া?" after DeepSeek's fact: Llama's alone ("what kind of model is
            # Llama?"), but hardly closer to it than to the last answer, which it asks of.
            return self._bare_question(self.responder.matcher.key(words), about, now)
        if about.fact is not None and (next_door := self._offered_next_door(answer, words,
                                                                             about)):
            return self._turn(TurnKind.FOLLOW_UP, (self.responder.answer_fact(next_door, now),),
                              about, now, words, resolved=text)
        return self._turn(TurnKind.ANSWER, (answer,), context, now, words or answer.normalized)

    def _before_an_aside(self, text: str) -> str:
        """The question of a message that goes on, after its last "?", with a few words that
        ask nothing (no question word, no request) and name no subject: "" when there is no
        such aside."""
        end = text.rfind("?")
        words = clean(text[end + 1:]).split() if end >= 0 else []
        if (not words or len(words) > ASIDE_WORDS or not _INTERROGATIVES.isdisjoint(words)
                or _requests(" ".join(words))
                or self.responder.subjects.spans(self.responder.matcher.key(" ".join(words)))):
            return ""  # a subject named ("my brother-in-law bought Google shares") is told
        return text[:end + 1]

    def _offered_next_door(self, answer: Answer, words: str, context: Context) -> str | None:
        """The "did you mean" a message gets alone, when its first choice is a fact the last
        answer relates to ("শিক্ষাটা তাহলে কী?" after Europe's troubles: the ethics fact):
        in the conversation, that one is meant. Not for a subject the last answer is not
        about, nor for what that fact cannot tell."""
        responder = self.responder
        fact = responder.knowledge.facts.get(context.fact or "")
        if answer.kind is not AnswerKind.SUGGEST or fact is None or not answer.suggestions:
            return None
        first = answer.suggestions[0]
        key = responder.matcher.key(words)
        if first not in fact.related or responder.subjects.named(key) - fact.about:
            return None
        return first if responder.asks.asked(key, bare=True) <= responder.gives(first) else None

    def _of_the_topic(self, answer: Answer, words: str, context: Context) -> str | None:
        """A short message about a thing two facts tell of, answered by the one outside the
        talk's topic only a little ahead: "আর লাইসেন্স নিয়ে?" after Europe's troubles asks of
        the license's critics (the legal side), not of Meta's licensing strategy."""
        knowledge = self.responder.knowledge
        last = knowledge.facts.get(context.fact or "")
        if (last is None or answer.kind not in (AnswerKind.FACT, AnswerKind.SUGGEST)
                or len(words.split()) > SHORT_OWN + 2):
            return None
        ranked = [s for s in self.responder.matcher.match(words).ranked
                  if s.intent_id in knowledge.facts][:2]
        if len(ranked) < 2 or ranked[0].intent_id != answer.leading_fact:
            return None
        first, second = (knowledge.facts[s.intent_id] for s in ranked)
        # "ar commercial use?" after Meta's strategy: the license's critics, its related
        # fact, not the adopters'; a question word ("কোন লাইসেন্সে?") asks of the last answer.
        related = second.id in last.related and _INTERROGATIVES.isdisjoint(words.split())
        if ((second.topic == last.topic != first.topic or related)
                and second.id not in context.facts and first.id not in last.related
                and ranked[0].score - ranked[1].score <= NEXT_DOOR_LEAD
                and ranked[1].score >= self.responder.policy.answer_at):
            return second.id
        return None

    @staticmethod
    def _told_again(turn: Turn, context: Context) -> bool:
        """Whether a turn's one answer is a fact this conversation has already shown."""
        return (len(turn.answers) == 1 and turn.answer.kind is AnswerKind.FACT
                and turn.answer.fact_id in context.shown)

    def _straddling(self, answer: Answer, text: str, words: str,
                    context: Context) -> Answer | None:
        """"The article does not say" for a fact answer that asks its own detail of the last
        answer ("কোন কোন কোম্পানি আপত্তি করেছে?" after the licence's critics: the companies are
        the adopters' word, the objecting the critics'; neither fact names them); else None."""
        last, other = context.fact, answer.fact_id
        if (answer.kind is not AnswerKind.FACT or last is None or other is None or other == last
                or not self._straddles(words, last, other)):
            return None
        if self._told_together(self.responder.matcher.key(words), answer, context) == other:
            return None  # "these two events together": it joins the last answer's words
        if (person := self._person_pointed(words, context)) is not None and (
                person in self.responder.knowledge.facts[other].about):
            return None  # "what was that agentic thing *he* said?": his words in both facts
        return self.responder.not_in_article(text, (last, other))

    def _short_of_the_last(self, words: str, last: str) -> bool:
        """Whether a message is a question word and a word or two, naming no subject, that
        its best fact leads the last answer's by less than `STAY_MARGIN`."""
        matcher = self.responder.matcher
        key = matcher.key(words)
        if self.responder.subjects.named(key) or not any(
                w in _QUESTION_WORDS and w not in _AND for w in key.surface):
            return False
        own = [key.surface[i] for i in matcher.content_positions(key)
               if key.surface[i] not in _QUESTION_WORDS]
        if not own or len(own) > SHORT_OWN:
            return False
        ranked = matcher.match(words).ranked
        return bool(ranked) and _leads_by(ranked, ranked[0].intent_id, last) < STAY_MARGIN

    def _straddles(self, words: str, last: str, other: str) -> bool:
        """Whether a message answered by `other` also holds a weighty word only the last
        answer's examples use, naming no subject of `other`'s that `last` lacks: it asks
        the other fact's detail of the last one ("which companies objected?")."""
        matcher = self.responder.matcher
        # "এত সমালোচনার পরও...": what a question concedes is no word it asks with.
        key = matcher.key(without_concession(words) or words)
        facts = self.responder.knowledge.facts
        named = self.responder.subjects.named(key)
        if named & (facts[other].about - facts[last].about) or _asks_another(words):
            return False  # "besides the money, what else?" names the last fact to leave it
        if named & set(facts[other].entities):
            # "llama ki samne reasoning korte parbe?" after the lawsuit names what the new
            # models' fact is about: a question of its own, not one of the lawsuit's details.
            return False
        return any(self._held_by_one(matcher.key(key.surface[i]), last, other)
                   for i in matcher.content_positions(key))

    def _held_by_one(self, word: Key, one: str, other: str) -> bool:
        """Whether a weighty `word` is in `one`'s examples and nowhere in `other`'s; a word
        saying what is asked ("নাম", the name) tells no fact apart."""
        matcher = self.responder.matcher
        if self._framing & set(word.surface):
            return False  # "why does the article *think*...": how it asks, not what
        held_one, held_other = matcher.shares(word, [frozenset({one}), frozenset({other})])
        return (held_one >= 0.9 and held_other == 0
                and sum(matcher.content_words(word).values()) >= STRADDLE_WEIGHT
                and not self.responder.asks.asked(word))

    @cached_property
    def _names_only(self) -> dict[str, frozenset[str]]:
        """The companies each fact only names, that no fact is about as its own (DoorDash in
        the adopters' fact; not Meta, whose facts tell what it does)."""
        knowledge = self.responder.knowledge
        owned = {e for f in knowledge.facts.values() for e in f.entities}
        return {f.id: frozenset(e for e in f.mentions if e in knowledge.entities
                                and knowledge.entities[e].kind == "company"
                                and knowledge.entities[e].fact is None and e not in owned)
                for f in knowledge.facts.values()}

    @cached_property
    def _named_in_answer(self) -> dict[str, frozenset[str]]:
        """The subjects each fact's answer names in its own words (OpenAI in the new models'
        answer), which a fact's `entities` and `mentions` need not list."""
        spans = self.responder.subjects.spans
        return {f: frozenset(e for e, _, _ in spans(key)) for f, key in self._answer_keys.items()}

    @cached_property
    def _answer_keys(self) -> dict[str, Key]:
        """Each fact's answer, keyed as a question is."""
        matcher = self.responder.matcher
        return {f.id: matcher.key(f.answer) for f in self.responder.knowledge.facts.values()}

    def _words_of_the_answer(self, key: Key, fact: Fact) -> bool:
        """Whether a message's own words (one or two) are all words of `fact`'s answer, as
        written or inflected ("উদ্দেশ্যে" of "উদ্দেশ্য"), and of at most one other answer: a
        word many answers use ("open source", "use") tells no answer apart."""
        own = [key.surface[i] for i in self.responder.matcher.content_positions(key)
               if key.surface[i] not in _POINTERS]

        def saying(w: str) -> list[str]:
            return [f for f, said in self._answer_keys.items() if holds_word(said.surface, w)]

        return 1 <= len(own) <= SHORT_OWN and all(
            fact.id in (told := saying(w)) and len(told) <= 2 for w in own)

    def _said_of_these(self, key: Key, fact: Fact) -> bool:
        """Whether a message pointing at "these" says nothing but what `fact`'s answer says
        of them: its words besides verbs (one or two) are all the answer's, as written or
        inflected ("ভবিষ্যতে ... গুরুত্বপূর্ণ" of "এই প্রশ্নগুলো ভবিষ্যতে ততই গুরুত্বপূর্ণ")."""
        if not self._these_alone(key):
            return False
        said = self._answer_keys[fact.id].surface
        own = [key.surface[i] for i in self.responder.matcher.content_positions(key)
               if key.surface[i] not in _POINTERS and not key.surface[i].endswith(VERB_ENDINGS)]
        return 1 <= len(own) <= SHORT_OWN and all(holds_word(said, w) for w in own)

    def _these_alone(self, key: Key) -> bool:
        """Whether a message says "these" as a pronoun ("এগুলো কি জরুরি?", "এইগুলির গুরুত্ব"),
        not before what it names ("এসব কোম্পানি", "these companies"): it points back at what
        was just said."""
        content = set(self.responder.matcher.content_positions(key))
        return any(w in _THESE and (w in _THESE_PRONOUNS or i + 1 not in content)
                   for i, w in enumerate(key.surface))

    @cached_property
    def _answer_words(self) -> frozenset[str]:
        """Every word of every fact's answer, keyed as a question is."""
        return frozenset(w for key in self._answer_keys.values() for w in key.surface)

    @cached_property
    def _fact_ids(self) -> frozenset[str]:
        return frozenset(self.responder.knowledge.facts)

    @cached_property
    def _framing(self) -> frozenset[str]:
        """Words asking for a view ("think", "মনে করে"), as this knowledge base keys them."""
        return frozenset(w for text in _FRAMING for w in self.responder.matcher.key(text).surface)

    def choose(self, fact_id: str, context: Context, now: datetime) -> Turn:
        """Answer a fact chosen directly (a button, a numbered line); the context moves to it.

        Its canonical question becomes the context's, so "কবে?" next asks about that fact.
        """
        context = self._current(context, now)
        answer = self.responder.answer_fact(fact_id, now)
        return self._turn(TurnKind.PICK, (answer,), context, now, clean(answer.question))

    def replying_to(self, fact_id: str, context: Context, now: datetime) -> Context:
        """The context of a message sent as a reply to the bot's answer of `fact_id`.

        The user points at that answer: it is what "কবে?" or "আরও বলো" continue, whatever
        was said since. A fact gone with a reload leaves the context as it was.
        """
        fact = self.responder.knowledge.facts.get(fact_id)
        if fact is None:
            return context
        context = self._current(context, now)
        facts = (*(f for f in context.facts if f != fact_id), fact_id)[-3:]
        return replace(context, facts=facts, shown=tuple(dict.fromkeys((*context.shown, fact_id))),
                       choices=(), offered="", listed=(), question=clean(fact.canonical_question),
                       idle=0, at=now)

    def _current(self, context: Context, now: datetime) -> Context:
        """`context` if it is alive, without the facts a reload has removed since (a context
        kept in a database may come from a process with another knowledge version)."""
        if not context.alive(now):
            return Context()
        facts = self.responder.knowledge.facts
        if all(f in facts for f in (*context.facts, *context.choices, *context.listed)):
            return context
        return replace(context, facts=tuple(f for f in context.facts if f in facts),
                       choices=tuple(f for f in context.choices if f in facts),
                       listed=tuple(f for f in context.listed if f in facts))

    # ----------------------------------------------------------------- "did you mean" answers

    def _pick(self, words: str, context: Context, now: datetime) -> Turn | None:
        choices = tuple(c for c in context.choices if c in self.responder.knowledge.facts)
        if not choices:
            return None
        number = 1 if words in _YES else position(words, len(choices))
        if number is None:
            number = chosen(words, len(choices))
        if number is not None and 1 <= number <= len(choices):
            answer = self.responder.answer_fact(choices[number - 1], now)
            return self._turn(TurnKind.PICK, (answer,), context, now, context.question)
        if number is not None:
            return self.out_of_range(words, choices, context, now)
        if words in _NO or refuses_all(words) or self._turns_down(words):
            answer = self.responder.rejected_answer(context.offered or context.question)
            cleared = replace(context, choices=(), offered="", idle=context.idle + 1, at=now)
            return Turn(TurnKind.REJECT, (answer,), cleared, rejected=choices)
        return None

    def _turns_down(self, words: str) -> bool:
        """Whether a short message says no with only words no example uses besides ("nah
        bro not that stuff"): it names nothing it might have meant instead."""
        key = self.responder.matcher.key(words)
        tokens = key.surface
        if not 0 < len(tokens) <= MAX_CHOICE_WORDS or not any(
                t in NONE_OF_THEM or t in REFUSING for t in tokens):
            return False
        rest = [i for i in self.responder.matcher.content_positions(key)
                if tokens[i] not in NONE_OF_THEM and tokens[i] not in REFUSING
                and tokens[i] not in OF_THESE]
        return self._only_chat(key, rest)

    def _pick_related(self, words: str, context: Context, now: datetime) -> Turn | None:
        """"২" after an answer: the second of the related questions under it, as a tap on
        its button would (the console numbers them; on Telegram they are buttons). Only
        right after that answer: after "the article does not say" or a fallback, the buttons
        on screen are others, and a number must not answer a question no button shows."""
        if context.idle or context.fact not in self.responder.knowledge.facts:
            return None
        related = self.responder.related(context.fact or "")
        number = position(words, len(related))
        if number is None or not related:
            return None
        if 1 <= number <= len(related):
            return self.choose(related[number - 1], context, now)
        return self.out_of_range(words, related, context, now)

    def _pick_listed(self, text: str, context: Context, now: datetime) -> Turn | None:
        """"২" under a fallback's questions: the second of them, as a tap on its button."""
        number = position(clean(text), len(context.listed))
        if number is None:
            return None
        if 1 <= number <= len(context.listed):
            return self.choose(context.listed[number - 1], context, now)
        return self.out_of_range(text, context.listed, context, now)

    def out_of_range(self, text: str, offered: tuple[str, ...], context: Context,
                     now: datetime) -> Turn:
        """A number beyond the `offered` facts: which numbers there are. The context is kept
        as it was, so the next number still picks from the same offer."""
        answer = self.responder.out_of_range_answer(clean(text), offered)
        return Turn(TurnKind.OUT_OF_RANGE, (answer,), replace(context, at=now))

    # ----------------------------------------------------------------- "tell me more"

    def _asks_more(self, text: str, context: Context) -> _More:
        """Whether `text` asks for more of the same in words of its own ("আরও তথ্য দিন").

        `LOOSELY`: "anything else" with up to two words of what it is about ("anything else
        on the legal side?"), a request only when the message names no fact by itself. What
        else *he* said ("উনি আর কী বলেছেন?") asks about a person, not for more of the last
        answer.
        """
        if self._person_pointed(clean(text), context, []) is not None:
            return _More.NO
        key = self.responder.matcher.key(clean(text))
        fact = self.responder.knowledge.facts.get(context.fact or "")
        about = fact.about if fact is not None else frozenset()
        subject = {i for entity, start, end in self.responder.subjects.spans(key)
                   if entity in about for i in range(start, end)}
        content = set(self.responder.matcher.content_positions(key))
        words = key.surface
        if [w for w in words if w not in _TELLING] in ([w] for w in _AND):
            return _More.YES  # "আর?", "hmm, r?"
        pairs = {i for i in range(len(words) - 1) if f"{words[i]} {words[i + 1]}" in _ELSE}
        paired = pairs | {i + 1 for i in pairs}
        if not pairs and not any(w in _MORE_WORDS for w in words):
            return _More.NO
        other = [i for i, w in enumerate(words)
                 if not (i in paired or w in _MORE_WORDS or w in _TELLING
                         or w.startswith(_TELLING_STEMS) or i in subject or i not in content)]
        if not other:
            return _More.YES
        # "আরও জরুরি কেন?" (why more urgent) is no request: only "anything else" is loose.
        if pairs and len(other) <= 2 and not self.responder.subjects.named(key) - about:
            return _More.LOOSELY
        if (len(words) <= MORE_WITH_WORDS and _INTERROGATIVES.isdisjoint(words)
                and self._only_chat(key, other)):
            return _More.YES  # "sheii 🔥 aro bolo", "bolte thako bhai": words of no fact
        return _More.NO

    def _others_of_its_list(self, text: str, context: Context) -> bool:
        """Whether "any other" asks for more of what the last answer lists, in the words its
        examples use ("আর কোন কোম্পানি?" after the companies that use Llama): the answer
        names all the article knows of them, not another fact."""
        responder = self.responder
        fact = context.fact or ""
        if Asked.LISTED not in responder.gives(fact):
            return False
        key = responder.matcher.key(clean(text))
        own = [key.surface[i] for i in responder.matcher.content_positions(key)
               if key.surface[i] not in _MORE_WORDS | _QUESTION_WORDS | _ELSE_WORDS]
        return bool(own) and responder.matcher.shares(
            responder.matcher.key(" ".join(own)), [frozenset({fact})])[0] >= HELD_BY_THE_LIST

    def _after_another(self, text: str) -> str | None:
        """What follows an opening that announces another question or topic ("ar ekta
        proshno chilo, ...", "Separately, ...", "এইডা থাউক, অন্য কথা কই, ...") in words of
        talking alone (or words no example uses), up to its last such mark."""
        rest, announced = text, False
        for _ in range(MAX_OPENINGS):  # "ঠিক আছে, ধন্যবাদ। এবার অন্য একটি প্রশ্ন: ..." has three
            if (opening := _OPENING.match(rest)) is None:
                break
            key = self.responder.matcher.key(opening.group(1))
            content = self.responder.matcher.content_positions(key)
            words = key.surface
            pairs = {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
            talk = [i for i in content if words[i] in _TALK or words[i] in _ANOTHER]
            if not self._only_chat(key, [i for i in content if i not in talk]):
                break
            announced = (announced or any(w in _ANOTHER for w in words)
                         or not pairs.isdisjoint(_ANOTHER))
            rest = rest[opening.end():]
        if not announced or rest == text:
            return None
        return rest if self._asks_of_something(rest) else None

    def _asks_of_something(self, rest: str) -> bool:
        """Whether what follows a switch asks of something ("next কী আছে? বলো", "ওটা ছাড়া আর
        কী?" ask for more, nothing new)."""
        key = self.responder.matcher.key(rest)
        named = [i for i in self.responder.matcher.content_positions(key)
                 if key.surface[i] not in _TELLING and key.surface[i] not in _MORE_WORDS]
        return bool(named) and not self._only_chat(key, named)

    def _only_chat(self, key: Key, positions: list[int]) -> bool:
        """Whether the words at `positions` are none of the knowledge base's: no example
        uses them or one like them (a reaction, slang, a verb of asking), so they name
        nothing a fact could be asked about."""
        positions = [i for i in positions if not key.surface[i].endswith(VERB_ENDINGS)
                     or key.surface[i][:-1] in self._answer_words]  # "দেশে": in a country
        if not positions:
            return True  # no ranking needed: an opening of address, a verb of asking
        unknown = set(self.responder.matcher.match(key.cleaned, key).unknown)
        return all(key.phonetic[i] in unknown for i in positions)

    def _more_about(self, text: str, context: Context) -> Context:
        """"tell me more about llama" after DeepSeek's answer: more of the subject it names,
        going on from the last answer about it (else from the fact that says what it is)."""
        knowledge = self.responder.knowledge
        named = [e for e, _, _ in self.responder.subjects.spans(self.responder.matcher.key(text))
                 if e in knowledge.entities and knowledge.entities[e].fact]
        if not named:
            return context
        subject = named[-1]

        def about_it(fact_id: str) -> bool:
            # A fact that says what another subject is (DeepSeek's) is that subject's.
            defines = {e.id for e in knowledge.defined_by(fact_id)}
            fact = knowledge.facts.get(fact_id)
            return (fact is not None and subject in fact.entities
                    and (not defines or subject in defines))

        if context.fact is not None and about_it(context.fact):
            return context
        about = next((f for f in reversed(context.facts) if about_it(f)),
                     knowledge.entities[subject].fact or "")
        return replace(context, facts=(*(f for f in context.facts if f != about), about)[-3:])

    def _acknowledged(self, text: str, context: Context, now: datetime,
                      said: str = ACKNOWLEDGED_TEXT) -> Turn:
        """A nod (or a "no" with nothing to turn down) after an answer: its related questions
        again, the ones a number still picks (the context is kept as it was)."""
        known = context.fact in self.responder.knowledge.facts
        offered = self.responder.related(context.fact or "") if known else ()
        answer = self.responder.acknowledged_answer(clean(text), offered, said)
        return Turn(TurnKind.ANSWER, (answer,), replace(context, at=now))

    def _more(self, context: Context, now: datetime) -> Turn:
        knowledge = self.responder.knowledge
        pool = knowledge.neighbours(context.fact) if context.fact else ()
        shown = set(context.shown)
        following = next((f for f in (context.fact, *pool) if f in knowledge.facts
                          and f not in shown), None)
        if following is None:
            answer = self.responder.nothing_more_answer(context.question)
            return Turn(TurnKind.NO_MORE, (answer,), replace(context, at=now))
        answer = self.responder.answer_fact(following, now, continuation=True)
        # As a button's tap: "koto taka?" next asks of the fact told, not of the one before.
        return self._turn(TurnKind.MORE, (answer,), context, now, clean(answer.question))

    # ----------------------------------------------------------------- follow-ups

    def _leans_on_context(self, answer: Answer, words: str) -> bool:
        """Whether a message cannot stand alone: a question word, a pointer, or unsure."""
        tokens = words.split()
        if not tokens:
            return False
        key = self.responder.matcher.key(words)
        if self._points(key, within=None if len(tokens) <= 6 else 2, following=True):
            return True  # "eta ke banaise?", "who made it?": not who made the bot
        if self._these_alone(key):
            return True  # "ভবিষ্যতে কি এগুলো আরও গুরুত্বপূর্ণ হয়ে উঠবে?"
        if self._asks_an_example(key):
            return True  # "udahoron?": not the one answer that says "উদাহরণ" in passing
        if _asks_another(words) and not self.responder.subjects.spans(key):
            # "any other legal trouble?": other than the last answer's ("other than Spotify"
            # is other than what it names)
            return True
        spans = self.responder.subjects.spans(key)
        words_of = {i for _, start, end in spans for i in range(start, end)}
        endings = {end for _, _, end in spans if key.surface[end:end + 1] in _ENDING_APART}
        if endings and all(i in words_of or i in endings or w in _AND
                           for i, w in enumerate(key.surface)):
            return True  # "ar deepseek er?" (and DeepSeek's?): the last question, of it
        if answer.kind is AnswerKind.SMALLTALK:
            # "তোমাকে কে বানাইছে?", "কেমন আছো?" are said to the bot; "কে বানাইছে?" asks of
            # what was just said.
            return not any(w in _ADDRESSED for w in tokens) and bool(self._asked_with(key))
        if self._bare(words):
            return True
        if self._verbs_asked(words):
            return True  # "কার লাইগা বানাইলো?": a question word and a verb, of the last answer
        if not self.responder.matcher.content_positions(key):
            return False  # "না", "ok": grammar alone asks nothing of the last answer
        if self._another_topic(answer, key):
            return False  # "আবহাওয়া কেমন?" after LlamaCon: the weather, not LlamaCon's
        return answer.kind not in (AnswerKind.FACT, AnswerKind.SMALLTALK, AnswerKind.EMPTY)

    def _another_topic(self, answer: Answer, key: Key) -> bool:
        """Whether `answer` surely declines its message as another topic than the article's
        (a decline of no fact's detail, as close as an answer needs), in words no fact's
        examples hold ("kon desher?" is declined too, but a fact tells which country)."""
        responder = self.responder
        decline = responder.knowledge.declines.get(answer.intent_id or "")
        return (answer.kind is AnswerKind.FALLBACK and decline is not None and not decline.about
                and answer.score >= responder.policy.answer_at
                and (responder.matcher.shares(key, [self._fact_ids])[0] < HOLDS_NONE
                     or self._declines_own_word(decline.id, key)))

    def _declines_own_word(self, decline_id: str, key: Key) -> bool:
        """Whether a message naming a subject uses a word of the decline's examples that no
        fact's examples use: "লামা কি প্রাণী?" names Llama, which every fact is about, and the
        animal, which only the animal's decline knows."""
        matcher = self.responder.matcher
        if not self.responder.subjects.spans(key):
            return False  # "কোন দেশের?" names nothing: it asks of the last answer
        own = matcher.vocabulary(decline_id)
        return any(key.surface[i] in own and key.surface[i] not in self._facts_vocabulary
                   for i in matcher.content_positions(key))

    @cached_property
    def _facts_vocabulary(self) -> frozenset[str]:
        """Every word of every fact's examples."""
        matcher = self.responder.matcher
        return frozenset().union(*(matcher.vocabulary(f) for f in self._fact_ids))

    def _follow_up(
        self, text: str, words: str, alone: Answer, context: Context, now: datetime
    ) -> Turn | None:
        responder = self.responder
        key = responder.matcher.key(text)
        previous = responder.matcher.key(context.question)
        before = responder.subjects.spans(previous)
        known = {entity for entity, _, _ in before}
        new = [s for s in responder.subjects.spans(key) if s[0] not in known]
        named = frozenset(i for _, start, end in new for i in range(start, end))
        pointed = self._points(key, following=True)
        if new and not pointed and self._bare(text, named):
            # "আর ডিপসিকের?", "what about Google?": the last question about another subject.
            turn = self._read_as(_substitute(previous, before, key, new), alone, context, now,
                                 new_subject=True)
            if turn is not None and turn.answer.kind is not AnswerKind.FACT and (
                    (nearby := self._nearby_fact_of(new, context)) is not None) and (
                    responder.asks.asked(key, bare=True) <= responder.gives(nearby)):
                # "what about the EU?" after the lawsuit: not the lawsuit's question of the
                # EU, but the EU's own part of the same story (its legal trouble).
                return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(nearby, now),),
                                  context, now, clean(text), resolved=text)
            return turn
        fact = responder.knowledge.facts.get(context.fact or "")
        if not new and (together := self._told_together(key, alone, context)) is not None:
            # "এই দুটো থেকে কী শিক্ষা পাওয়া যায়?" after the lawsuit and Europe's troubles:
            # the fact that reads both, not more of the last one.
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(together, now),),
                              context, now, clean(text), resolved=text)
        if fact is not None and not new and self._asks_an_example(key):
            # "যেমন?" after Llama's many uses: the companies that show them; "example?"
            # after the ethics lesson: the lawsuit it names. Else the article gives none.
            example = self._example_of(fact)
            answer = (responder.answer_fact(example, now) if example is not None
                      else responder.not_in_article(context.question, (fact.id,)))
            return self._turn(TurnKind.FOLLOW_UP, (answer,), context, now, context.question,
                              resolved=context.question)
        if not new and self._asks_if_over_of(words, context.fact):
            # "is it settled yet?" after the lawsuit: its answer says it is ongoing.
            return self._the_last_again(context, frozenset(), now)
        if (doing := self._response_of(words, context.fact)) is not None:
            # "ওরা মানে মেটা তাহলে এখন কী করছে?" after DeepSeek's rise: what Meta does
            # about it is the fact next to it that is Meta's, and about DeepSeek.
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(doing, now),),
                              context, now, clean(text), resolved=text)
        if (fact is not None and not new and alone.fact_id != fact.id
                and self._said_of_these(key, fact)
                and responder.asks.asked(key, bare=True) <= responder.gives(fact.id)):
            # "ভবিষ্যতে কি এগুলো আরও গুরুত্বপূর্ণ হবে?" after the lesson of the lawsuit and
            # Europe: "these" are what the last answer spoke of, in its own words ("they will
            # matter more"), not Llama's future, whose words are as close.
            return self._the_last_again(context, responder.asks.asked(key, bare=True), now)
        if pointed and not new and fact is not None and (
                (defining := self._what_it_is(key, fact)) is not None
                or (first := _first_question(text)) != text and (defining := self._what_it_is(
                    responder.matcher.key(first), fact)) is not None):
            # "eta ki jinis?" after Llama's downloads: what Llama is, which the downloads'
            # answer does not say and Llama's own fact does; so too "এটা আসলে কী জিনিস?
            # কোনো অ্যাপ নাকি?", the guess after the question asking it again.
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(defining, now),),
                              context, now, clean(text), resolved=text)
        if pointed and not new and fact is not None and self._asks_what_it_shows(key):
            # "eta theke ki bojha jay?", "what does that show?": what the last answer means,
            # which its answer says, or the fact next to it that reads it.
            reading = responder.readings[fact.id]
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(reading, now),),
                              context, now, context.question, resolved=context.question)
        if pointed and not new and fact is not None and not _THEM.isdisjoint(key.surface) and (
                told := self._told_by_a_mention(fact, responder.asks.asked(key, bare=True))):
            # "ওই ল্যাবটা কোন দেশের?" after the war rooms: the rival they name, whose own fact
            # tells where it is from; the war rooms' fact tells no place.
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(told, now),),
                              context, now, clean(text), resolved=text)
        if (pointed and fact is not None and not _ONLY.isdisjoint(words.split())
                and new and all(e in fact.about for e, _, _ in new)
                and not responder.asks.asked(key, bare=True)):  # yes or no, not "how much"
            # "এইটা কি খালি লামার জন্য?" after Meta's AI spending: whether the last answer is
            # only about what it names, which that answer tells, not what Llama is.
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(fact.id, now),),
                              context, now, context.question, resolved=context.question)
        if new and fact is not None and any(
                e not in fact.about for e, _, _ in new):
            # "আর গুগল কত খরচ করছে?", "is it on Telegram too?": a question about a subject the
            # last answer is not about stands alone; the last question's subject must not be
            # lent to it. Unanswered alone, the article does not say, unless another fact is
            # about that subject ("Why did some EU countries hold up Llama's rollout?": the
            # "did you mean" stands).
            if (alone.kind is not AnswerKind.FACT
                    and all(e in self._named_in_answer[fact.id] for e, _, _ in new)
                    and any(w in _LIKE_WHICH for w in key.surface)
                    and responder.asks.asked(key, bare=True) <= responder.gives(fact.id)):
                # "like which OpenAI model?" after the new models' fact, whose answer names
                # OpenAI's o3-mini: which one it is likened to is the last answer's, while
                # "when did o3-mini come out?" asks of o3-mini itself.
                return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(fact.id, now),),
                                  context, now, context.question, resolved=context.question)
            first = alone.suggestions[0] if alone.kind is AnswerKind.SUGGEST else ""
            entities = responder.knowledge.entities
            if (first in fact.related and all(
                    e in responder.knowledge.facts[first].about and entities[e].kind == "product"
                    for e, _, _ in new)
                    and responder.asks.asked(key, bare=True) <= responder.gives(first)):
                # "Is it the same thing that runs the assistant inside WhatsApp?" after what
                # Llama is: unsure alone of Meta AI's fact, the last answer's next, of apps
                return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(first, now),),
                                  context, now, clean(text), resolved=text)
            others = [f for f in responder.knowledge.facts.values() if f.id != fact.id]
            told_elsewhere = alone.kind is AnswerKind.SUGGEST and all(
                any(e in f.about for f in others) for e, _, _ in new)
            if alone.kind is not AnswerKind.FACT and not told_elsewhere:
                alone = responder.not_in_article(text, (fact.id,))
            return self._turn(TurnKind.FOLLOW_UP, (alone,), context, now, clean(text),
                              resolved=text)
        if fact is not None and _asks_another(words):
            # "এর বাইরে আর কোনো আইনি ঝামেলা আছে?" after Europe's troubles: another fact of the
            # same kind, the one its words are closest to, not the last answer again.
            scores = {s.intent_id: s.score
                      for s in responder.matcher.match(_without_pointers(words)).ranked}
            # The first of the neighbours, in the order their admin listed them, that the
            # words fit: the sibling (the lawsuit after Europe's troubles), not the summary
            # of both, whose words are closest.
            another = next((f for f in responder.knowledge.neighbours(fact.id)
                            if scores.get(f, 0.0) >= responder.policy.suggest_at), None)
            if another is not None:
                return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(another, now),),
                                  context, now, clean(text), resolved=text)
        if fact is not None and not new and (aside := self._aspect_elsewhere(key, fact.id)):
            # "আর টাকাপয়সার দিকটা?" after the war rooms: the money, which that fact does not
            # hold and the next one of its story does.
            return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(aside, now),),
                              context, now, clean(text), resolved=text)
        person = self._person_pointed(words, context, before)
        if self._bare(words) and fact is not None and (person is None or person in fact.about):
            # (a person no longer the last answer's: "উনি আর কী বলেছেন?" asks him, below)
            return self._bare_question(key, context, now)
        asked = responder.asks.asked(key, bare=True)
        if (fact is not None and not new and alone.kind is not AnswerKind.FACT
                and len(key.surface) <= SHORT_OWN + 2 and asked <= responder.gives(fact.id)
                and self._words_of_the_answer(key, fact)):
            # "কী উদ্দেশ্যে?" after Meta's strategy, whose answer tells "এর উদ্দেশ্য হলো...":
            # a word the last answer just used asks of it.
            return self._the_last_again(context, asked, now)
        if (alone.kind is AnswerKind.SUGGEST and context.fact in alone.suggestions and not new
                and len(words.split()) <= 3 and not self._unknown_words(text)
                and asked <= responder.gives(context.fact)):
            # "কী অভিযোগ?" alone is unsure between the license's critics and the lawsuit;
            # right after the lawsuit, it is the lawsuit's.
            return self._the_last_again(context, asked, now)
        verbs_only = all(key.surface[i].endswith(VERB_ENDINGS)
                         for i in responder.matcher.content_positions(key))
        if (context.fact is not None and not new and verbs_only
                and (asked or (not pointed and self._verbs_asked(words)))
                and asked <= responder.gives(context.fact)):
            # "কারা বানিয়েছে?" (who made it): a question word and a verb ask of the last
            # answer, which names who. A noun ("the speakers", "the tickets") asks of more.
            return self._the_last_again(context, asked, now)
        subject = _named_words(previous, before)
        if new and not pointed:
            # "লামা কি যে কেউ ব্যবহার করতে পারে?" after Instagram: the message names what
            # it asks about; the last question's subject is not lent to it.
            subject = ""
        if not subject and fact is not None and len(fact.entities) == 1:
            # "download er sonkha?" named nothing: the last answer's subject is its fact's.
            subject = responder.knowledge.entities[fact.entities[0]].name
        rest = _without_pointers(words)
        readings = [f"{subject} {rest}", f"{context.question} {rest}"]
        referents = responder.knowledge.defined_by(fact.id) if fact is not None else ()
        only_about: frozenset[str] = frozenset()  # what "it" is, when the message alone is not
        # A subject the last answer names may act on "it": "what did Meta do about it?"
        acting = fact is not None and all(e in fact.about for e, _, _ in new)
        if (pointed or self._verbs_asked(words)) and acting and referents:
            # "it" is what the last answer was about: after DeepSeek's fact, "এটা কাদের
            # বানানো?" asks who made DeepSeek's model, whoever the last question named.
            defined = " ".join(e.name for e in referents)
            readings = [f"{defined} {rest}", f"{context.question} {rest}", f"{subject} {rest}"]
            # Alone, "oita kobe release hoisilo?" reads "it" as Llama and gets (or offers
            # first) Llama's launch; "it" is DeepSeek's model, and that fact is not about it.
            read = alone.leading_fact or ""
            if (read in responder.knowledge.facts and fact is not None
                    and read != fact.id and self._points_at(key, referents)
                    and not any(e.id in responder.knowledge.facts[read].entities
                                for e in referents)):
                if {e.id for e in referents}.isdisjoint(responder.knowledge.facts[read].about):
                    only_about = frozenset(e.id for e in referents)
                alone = responder.not_in_article(text, (fact.id,))
        if (alone.kind is AnswerKind.FACT and alone.fact_id not in (None, context.fact)
                and fact is not None and any(w in _PLACE_POINTERS for w in key.surface)):
            places = [e for e in fact.about
                      if getattr(responder.knowledge.entities.get(e), "kind", "") == "place"]
            other = responder.knowledge.facts[alone.fact_id or ""]
            if places and not any(e in other.about for e in places):
                # "সেখানে কবে চালু হবে?" after Europe's delay: there is Europe, and Llama's
                # first launch is no answer for it.
                alone = responder.not_in_article(text, (fact.id,))
        if person is not None:
            # "উনি আর কী বলেছেন?" after an answer that names Zuckerberg: what he said.
            said = f"{responder.knowledge.entities[person].name} {rest}"
            lead = alone.leading_fact
            if lead not in (None, context.fact) and person in responder.knowledge.facts[
                    lead or ""].about and not self._unknown_words(text):
                # "এজেন্টিক না কী একটা বলছিলেন উনি, সেটা কী?" after Zuckerberg's hopes: what
                # the message alone leans to is another thing he said, not his hopes again.
                return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(lead or "", now),),
                                  context, now, clean(said), resolved=said)
            readings.insert(0, said)
        if (pointed and fact is not None and alone.kind is AnswerKind.FACT
                and alone.fact_id in fact.related and self._determined(key)):
            # "oi copyright case ta ki niye?" after the ethics fact: the lawsuit it mentioned,
            # named, whose own fact answers alone.
            return None
        if (pointed and person is None and not new and fact is not None
                and asked <= responder.gives(fact.id) and not self._unknown_words(rest)
                and not responder.purpose_of_listed(key, fact.id)):
            own = responder.matcher.match(rest).ranked
            if (own and own[0].intent_id != fact.id
                    and self._told_next_door(rest, own[0].intent_id, fact)
                    and _leads_by(own, own[0].intent_id, fact.id) >= STAY_MARGIN):
                # "এটা থেকে কী শিক্ষা পাওয়া যায়?" after Europe's troubles, "এটা কি
                # বিনামূল্যে?" after the downloads: the neighbour its own words ask for, far
                # ahead of the last answer, whatever the last question's words would add.
                return self._turn(TurnKind.FOLLOW_UP,
                                  (responder.answer_fact(own[0].intent_id, now),),
                                  context, now, clean(rest), resolved=rest)
            ranked = responder.matcher.match(readings[0]).ranked
            # After what a subject is (Llama's own fact), "it" is that subject, and its own
            # fact no better an answer than any other about it ("does any big company run
            # it?": the adopters).
            of_a_subject = (responder.knowledge.defines(fact.id)
                            and alone.kind is AnswerKind.FACT
                            and alone.fact_id == (ranked[0].intent_id if ranked else None))
            if ranked and not of_a_subject and ranked[0].intent_id != fact.id and (
                    ranked[0].intent_id in responder.knowledge.facts) and all(
                    _leads_by(responder.matcher.match(text).ranked, ranked[0].intent_id, fact.id)
                    < STAY_MARGIN for text in (readings[0], rest)) and not self._told_next_door(
                    rest, ranked[0].intent_id, fact):
                # "it" points at the last answer; another fact only a little closer in words
                # does not move the conversation ("ওরা কোন দেশের প্রতিষ্ঠান?" of DeepSeek).
                return self._turn(TurnKind.FOLLOW_UP, (responder.answer_fact(fact.id, now),),
                                  context, now, clean(readings[0]), resolved=readings[0])
        if (alone.kind is AnswerKind.FACT and alone.fact_id not in (None, context.fact)
                and known and known <= responder.knowledge.facts[alone.fact_id or ""].about):
            # "has anyone criticised it?" answers alone about the subject the last question
            # named: the last question's own words would only read it back into its answer.
            readings = [r for r in readings if not r.startswith(context.question)]
        for resolved in dict.fromkeys(readings):
            if resolved.strip() != rest and (turn := self._read_as(
                    resolved, alone, context, now, asked=asked,
                    exact=responder.asks.exact(key), own=rest)) is not None:
                if only_about and turn.answer.kind is AnswerKind.FACT and only_about.isdisjoint(
                        responder.knowledge.facts[turn.answer.fact_id or ""].about):
                    continue  # "ওটা কি ওপেন সোর্স?": R1's, not the Llama the last question named
                return turn
        if only_about:
            return self._turn(TurnKind.FOLLOW_UP, (alone,), context, now, clean(text),
                              resolved=text)
        return None

    def _asks_an_example(self, key: Key) -> bool:
        """Whether a message asks only for an example: "উদাহরণ?", "এর উদাহরণ কী?", "example
        dao" (and no more: "kon kon kaj korbe, example dao" asks what the tasks are)."""
        if _EXAMPLE.isdisjoint(key.surface):
            return False
        allowed = _EXAMPLE | _POINTERS | _QUESTION_WORDS | _TELLING | _NAMED
        # "এর উদাহরণ হিসেবে কোন প্রতিষ্ঠানগুলোর নাম এসেছে?": companies named as examples
        # ("হিসেবে", as, after the example: keyed as a count, "হিসাব")
        return all(key.surface[i] in allowed or key.stems[i] in _COMPANY_STEMS
                   or key.surface[i].endswith(VERB_ENDINGS)
                   or i > 0 and key.surface[i - 1] in _EXAMPLE
                   for i in self.responder.matcher.content_positions(key))

    def _asks_if_over_of(self, words: str, fact_id: str | None) -> bool:
        """Whether a message asks only whether the last answer's subject is over or still
        going on ("রায় কি হয়ে গেছে?", "ekhono choltese?"), not when, where, or who won, and
        that answer says it is still going on."""
        if fact_id is None or ("going on" not in words and _OVER.isdisjoint(words.split())):
            return False  # most messages: no key to make
        surface = self.responder.matcher.key(words).surface
        return ((not _OVER.isdisjoint(surface) or "going on" in words)
                and _ASKING_MORE.isdisjoint(surface)
                and not any(w.startswith(_WINNING) for w in surface)
                and self._says_ongoing(fact_id))

    def _says_ongoing(self, fact_id: str) -> bool:
        """Whether a fact's answer says its own subject is still going on: "চলমান ... কপিরাইট
        মামলা" (an ongoing lawsuit), not "চলমান বিনিয়োগ" in the downloads' answer."""
        fact = self.responder.knowledge.facts.get(fact_id)
        if fact is None:
            return False
        said = self._answer_keys[fact.id].surface
        title = self.responder.title_words(fact.id)
        return any(w in _OVER and any(holds_word(said[i + 1:i + 4], t) for t in title)
                   for i, w in enumerate(said))

    def _example_of(self, fact: Fact) -> str | None:
        """The fact that gives an example of what `fact` tells in general terms: after an
        answer that speaks of companies, the fact of its topic that lists them (Spotify,
        AT&T, DoorDash after Llama's many uses or the interest in open models); else a
        related fact of its topic its answer names by that fact's title (the lawsuit after
        the lesson of the lawsuit and the privacy worries)."""
        facts = self.responder.knowledge.facts
        said = self._answer_keys[fact.id].surface
        if not _COMPANY.isdisjoint(said):
            listing = next((f for f in facts.values() if f.id != fact.id
                            and f.topic == fact.topic
                            and {Asked.LISTED, Asked.NAMES} <= self.responder.example_asks(f.id)),
                           None)
            if listing is not None:
                return listing.id
        return next((other for other in fact.related
                     if other in facts and facts[other].topic == fact.topic
                     and (own := self.responder.title_words(other))
                     and all(holds_word(said, w) for w in own)), None)

    def _told_together(self, key: Key, alone: Answer, context: Context) -> str | None:
        """The one fact related to both of the last two answered, when a message points at
        two ("these two", "both", "দুটো মিলিয়ে") and asks nothing that fact cannot tell."""
        last = tuple(dict.fromkeys(reversed(context.facts)))[:2]
        content = set(self.responder.matcher.content_positions(key))
        # "these" alone reads two answers only asking what they show ("egulo theke ki bojha
        # jay?"); "why will these matter more?" after the ethics fact is of its own points.
        these = self._asks_what_it_shows(key) and any(
            w in _THESE and (i + 1 not in content or key.surface[i + 1] in SIGNIFIES)
            for i, w in enumerate(key.surface))  # "এগুলোর তাৎপর্য কী?" (what these mean)
        if len(last) < 2 or _SEVERAL.isdisjoint(key.surface) and not these:
            return None
        both = self._related_to_all(last, key)
        if both is not None and alone.kind is AnswerKind.FACT and alone.fact_id not in (
                *last, both):
            return None  # its own words name another fact: "both" is not ours to read
        return both

    def _related_to_all(self, answered: tuple[str, ...], key: Key) -> str | None:
        """The one fact related to every fact `answered` that tells what `key` asks."""
        both = [f.id for f in self.responder.knowledge.facts.values()
                if f.id not in answered and all(id_ in f.related for id_ in answered)]
        if len(both) != 1:
            return None
        if not self.responder.asks.asked(key, bare=True) <= self.responder.gives(both[0]):
            return None  # "when did these two happen?" asks a date that fact has not
        return both[0]

    def _what_it_is(self, key: Key, fact: Fact) -> str | None:
        """The fact saying what the last answer's subject is, when a message asks only
        what "it" is and the last answer is not that subject's own fact."""
        knowledge = self.responder.knowledge
        words = set(key.surface)
        if (knowledge.defines(fact.id) or not words <= _WHAT_IT_IS | _POINTERS
                or _WHAT_IT_IS.isdisjoint(words) or _POINTERS.isdisjoint(words)):
            return None
        defining = [e.fact for id_ in fact.entities if (e := knowledge.entities.get(id_))
                    and e.fact in knowledge.facts]
        return defining[0] if defining else None

    def _told_next_door(self, rest: str, other: str, fact: Fact) -> bool:
        """Whether `rest` (a follow-up's own words) asks what a fact related to the last one
        is about, which the last answer only touched: "any criticism of it?" after Llama's
        launch, which names the criticism the license fact tells."""
        if other not in fact.related:
            return False
        ranked = self.responder.matcher.match(rest).ranked
        return (bool(ranked) and ranked[0].intent_id == other
                and ranked[0].score >= self.responder.policy.answer_at
                and _leads_by(ranked, other, fact.id) >= NEXT_DOOR_LEAD)

    def _told_by_a_mention(self, fact: Fact, asked: frozenset[Asked]) -> str | None:
        """The fact of the one subject `fact` only mentions that tells what is `asked`,
        when `fact` itself cannot ("which country?" of the rival the war rooms name)."""
        responder = self.responder
        if not asked or asked <= responder.gives(fact.id):
            return None
        entities = responder.knowledge.entities
        told = {f for e in fact.mentions if e in entities and entities[e].kind == "company"
                and (f := entities[e].fact) is not None and f != fact.id
                and f in responder.knowledge.facts and asked <= responder.gives(f)}
        return told.pop() if len(told) == 1 else None

    def _aspect_elsewhere(self, key: Key, fact_id: str) -> str | None:
        """For "and" and a word or two, with no question word ("and money-wise?", "আর
        প্রাইভেসিরটা?"), that the last fact holds none of: the fact next to it (its related
        facts, then its topic) that holds them, closest first; else None."""
        matcher = self.responder.matcher
        if not key.surface or key.surface[0] not in _AND or any(
                w in _QUESTION_WORDS and w not in _AND or w in _POINTERS for w in key.surface):
            return None
        own = [key.surface[i] for i in matcher.content_positions(key)]
        if not own or len(own) > SHORT_OWN:
            return None
        # As the words sound, not by their skeletons: "টাকা" (money) and "থেকে" (from) are
        # both "tk", and the war rooms' examples say "থেকে".
        sounds = {key.phonetic[i] for i in matcher.content_positions(key)}
        if sounds & matcher.content_sounds(fact_id):
            return None
        neighbours = self.responder.knowledge.neighbours(fact_id)
        return next((f for f in neighbours if sounds <= matcher.content_sounds(f)), None)

    def _and_an_aspect(self, words: str, alone: Answer, fact_id: str) -> bool:
        """Whether a message is "and" and a word or two, no name, that a fact next to the
        last one holds and the last one does not ("আর প্রাইভেসি?" after the lawsuit), and
        which reads alone, only a little ahead, as a fact listed after it next to the last
        one (the lesson of the lawsuit and privacy both): it asks the fact listed first."""
        first = words.split()[:1]
        if not first or first[0] not in _AND or alone.kind is not AnswerKind.FACT:
            return False
        key = self.responder.matcher.key(words)
        aspect = self._aspect_elsewhere(key, fact_id)
        if aspect is None or aspect == alone.fact_id or self.responder.subjects.spans(key):
            return False
        neighbours = self.responder.knowledge.neighbours(fact_id)
        ranked = self.responder.matcher.match(words).ranked
        return (alone.fact_id in neighbours
                and neighbours.index(aspect) < neighbours.index(alone.fact_id or "")
                and _leads_by(ranked, alone.fact_id or "", aspect) <= NEXT_DOOR_LEAD)

    def _asks_what_it_shows(self, key: Key) -> bool:
        """Whether a message's own words ask only what something shows or means."""
        content = [i for i in self.responder.matcher.content_positions(key)
                   if key.surface[i] not in _POINTERS | _FOLLOWING_FROM]  # "এতে কী বোঝা যায়?"
        return bool(content) and all(key.surface[i] in SIGNIFIES for i in content)

    def _nearby_fact_of(self, named: list[tuple[str, int, int]], context: Context) -> str | None:
        """The first fact next to the context's (its related facts, then its topic) that is
        about every subject in `named`."""
        knowledge = self.responder.knowledge
        if context.fact not in knowledge.facts:
            return None
        return next((f for f in knowledge.neighbours(context.fact or "")
                     if all(e in knowledge.facts[f].about for e, _, _ in named)), None)

    def _points(self, key: Key, within: int | None = None, following: bool = False) -> bool:
        """Whether a message points back ("eta", "its", "ওটার"; with `following`, also "ফলে",
        as a result), in its first `within` words or its last ("so what did Meta do about
        it?": English ends on what it points at).

        "Llama er", "Microsoft এর": a case ending written apart after a name is no "its".
        """
        endings = {end for _, _, end in self.responder.subjects.spans(key)}
        endings |= {i + 1 for i in self.responder.matcher.content_positions(key)}
        last = len(key.surface) - 1
        pointers = _POINTERS | _FOLLOWING_FROM if following else _POINTERS
        return any(w in pointers for i, w in enumerate(key.surface)
                   if (within is None or i < within or i == last)
                   and not (i in endings and (w,) in _ENDING_APART))

    def _points_at(self, key: Key, referents: tuple[Entity, ...]) -> bool:
        """Whether a message points at the subjects an answer is the fact of: "it" at any,
        "they" at companies only (after Llama's fact "they" are its makers)."""
        return any(w in _THING_POINTERS or w in _GROUP_POINTERS and all(
            e.kind == "company" for e in referents) for w in key.surface)

    def _determined(self, key: Key) -> bool:
        """Whether a pointer stands before a noun: "oi copyright case" names what it points
        at (something the last answer mentioned), where "ওরা" or "it" points at the answer."""
        content = set(self.responder.matcher.content_positions(key))
        return any(w in _DETERMINERS and i + 1 in content for i, w in enumerate(key.surface))

    def _person_pointed(self, words: str, context: Context,
                        before: list[tuple[str, int, int]] | None = None) -> str | None:
        """The person (an entity id) "উনি" / "he" points at: one the last question named
        (`before`: its subjects, found here when not given), else one the last answer's fact
        is about or mentions. None without such a word."""
        if not any(w in _PERSON_POINTERS for w in words.split()):
            return None  # most messages: no key of the last question to make
        if before is None:
            before = self.responder.subjects.spans(self.responder.matcher.key(context.question))
        entities = self.responder.knowledge.entities
        candidates = [e for e, _, _ in before]
        # the last answer's, else an earlier one's: "uni r ki bolse?" after "more" told the
        # new models, next to the agentic features Zuckerberg hinted at
        for told in reversed(context.facts):
            if (fact := self.responder.knowledge.facts.get(told)) is not None:
                candidates += [*fact.entities, *fact.mentions]
        return next((e for e in candidates
                     if e in entities and entities[e].kind == "person"), None)

    def _converted(self, text: str, fact_id: str) -> bool:
        """Whether a message asks the last answer's dollars in another currency, which no
        answer gives ("taka te koto?", "in rupees?"); not which currency it was ("ডলারে না
        টাকায়?"), which the answer tells."""
        answer = self.responder.knowledge.facts[fact_id].answer
        return (_DOLLARS.search(answer) is not None and "টাকা" not in answer
                and _CURRENCY_IN.search(text) is not None
                and not (_DOLLARS.search(text) and not _EITHER.isdisjoint(clean(text).split())))

    def _of_a_name_only(self, text: str, fact_id: str) -> bool:
        """Whether a question asks of companies `fact_id` only names (no fact is theirs),
        and of nothing else: besides their names, question words and grammar, only words
        its examples lack ("who owns DoorDash?", "ডোরড্যাশের মালিক কে?")."""
        named_only = self._names_only.get(fact_id)
        if not named_only:
            return False  # most facts: no key of the message to make
        responder = self.responder
        key = responder.matcher.key(text)
        spans = responder.subjects.spans(key)
        if (not spans or _INTERROGATIVES.isdisjoint(key.surface)
                or any(e not in named_only for e, _, _ in spans)):
            return False
        if any(w in _THING_POINTERS for w in key.surface) or not _OF_THE_LIST.isdisjoint(
                key.surface):
            return False  # "does DoorDash use it?", "is AT&T on the list?": the fact's own
        named = {i for _, start, end in spans for i in range(start, end)}
        rest = " ".join(w for i, w in enumerate(key.surface)
                        if i not in named and w not in _COMPANY and w not in _QUESTION_WORDS)
        return self._holds_none(rest, fact_id)

    def _response_of(self, words: str, last: str | None) -> str | None:
        """The fact related to the last answer's that tells what a subject the message names
        does (its name, a question word, "do" and grammar: "meta ki korlo er jonno?"): one
        that is that subject's own and is about the subject the last answer is the fact of
        (DeepSeek's: "what did Meta do about it?" is Meta's war rooms)."""
        knowledge = self.responder.knowledge
        fact = knowledge.facts.get(last or "")
        if fact is None or not any(_DOING.match(w) for w in words.split()):
            return None  # most follow-ups: no key of the message to make
        of = {e.id for e in knowledge.defined_by(fact.id)}  # most facts are about Llama
        key = self.responder.matcher.key(words)
        spans = self.responder.subjects.spans(key)
        named = {e for e, _, _ in spans}
        if not of or not named or not named.isdisjoint(fact.entities):
            return None  # after Meta's war rooms, "meta ki korse?" asks of them
        positions = {i for _, start, end in spans for i in range(start, end)}
        if (set(self.responder.matcher.content_positions(key)) - positions
                or _QUESTION_WORDS.isdisjoint(key.surface)
                or not _COMPARING.isdisjoint(key.surface)):  # "are they doing better than Meta?"
            return None
        return next((r for r in fact.related if named <= set(knowledge.facts[r].entities)
                     and not of.isdisjoint(knowledge.facts[r].about)), None)

    def _asked_with(self, key: Key) -> list[str]:
        """The words besides question words and grammar of a message with a question word
        ("কে বানাইছে?": ["বানাইছে"]); none without one."""
        if not any(w in _QUESTION_WORDS for w in key.surface):
            return []
        return [key.surface[i] for i in self.responder.matcher.content_positions(key)
                if key.surface[i] not in _QUESTION_WORDS]

    def _verbs_asked(self, words: str) -> bool:
        """A question word with verbs alone, as written (a synonym group may stand a noun for
        the verb): "কে বানাইছে?", "কার লাইগা বানাইলো?"."""
        asked = self._asked_with(make_key(words))
        return bool(asked) and all(w.endswith(VERB_ENDINGS) for w in asked)

    def _bare(self, words: str, skip: frozenset[int] = frozenset()) -> bool:
        """A message of question words and pointers (and grammar): "কবে?", "কোথায় হবে রে?".

        Words at the positions in `skip` (a subject's name) do not count.
        """
        key = self.responder.matcher.key(words)
        asking = _QUESTION_WORDS | _POINTERS
        content = set(self.responder.matcher.content_positions(key)) - skip
        rest = [w for i, w in enumerate(key.surface) if i not in skip]
        return (all(key.surface[i] in asking for i in content)
                and (any(w in asking for w in rest) or bool(skip and not rest)))

    def _bare_question(self, key: Key, context: Context, now: datetime) -> Turn:
        """"কবে?", "why?", "কারা?": the context's fact if it tells that, else a fact on the
        same subject that does, else the honest "the report does not say"."""
        responder = self.responder
        asked = responder.asks.asked(key, bare=True)
        fact = responder.knowledge.facts[context.fact] if context.fact else None
        assert fact is not None
        if not asked and (reason := self._reason_told_beside(key, fact)) is not None:
            answer = responder.answer_fact(reason, now)
        elif asked <= responder.gives(fact.id):
            answer = responder.answer_fact(self._dedicated(fact.id, asked) or fact.id, now)
        else:
            facts = responder.knowledge.facts
            pool = responder.knowledge.neighbours(fact.id)
            # Another fact answers only after "what is X?": "কবে?" then asks when X came out.
            # After "how many downloads?", "কবে?" asks when the downloads happened, which the
            # article does not say. The same subject: every subject of the last fact.
            defines = responder.knowledge.defines(fact.id)
            same = [f for f in pool if defines and f in facts and asked <= responder.gives(f)
                    and set(fact.entities) <= set(facts[f].entities)]
            # Else the honest note, offering with the last answer the facts of the same
            # subject that tell part of it ("kobe hobe?" after what Llama is: its first launch,
            # a past date, though what is ahead is not said).
            partly = [f for f in pool if defines and f in facts and asked & responder.gives(f)
                      and set(fact.entities) <= set(facts[f].entities)]
            if not same and Asked.WHEN in asked:
                same = self._when_told_beside(fact, asked, key)
            answer = (responder.answer_fact(same[0], now) if same
                      else responder.not_in_article(context.question, (fact.id, *partly[:2])))
        return self._turn(TurnKind.FOLLOW_UP, (answer,), context, now, context.question,
                          resolved=context.question)

    def _reason_told_beside(self, key: Key, fact: Fact) -> str | None:
        """"কেন?" after a fact that gives no reason, when a fact next to it tells why of the
        very same names: after the companies that use Llama (Spotify, AT&T, DoorDash), why
        they do is the fact that names them and says what makes Llama useful to them."""
        if _WHY.isdisjoint(key.surface) or self._gives_reason(fact.id):
            return None
        named = self._named_in_answer[fact.id] - self.responder.general
        if not named:
            return None
        return next((f for f in fact.related if f in self.responder.knowledge.facts
                     and named <= self._named_in_answer[f] and self._gives_reason(f)), None)

    def _gives_reason(self, fact_id: str) -> bool:
        return not _REASON.isdisjoint(self._answer_keys[fact_id].surface)

    def _when_told_beside(self, fact: Fact, asked: frozenset[Asked], key: Key) -> list[str]:
        """"When?" of a fact that tells no date, told by a related one: "কবে থেকে?" (since
        when) after a count (the downloads) by the one of the same subject with a past date
        (the launch); "কবে?" after something still to come (the multimodal models, no one's
        words) by the one of its topic that tells when what is coming comes."""
        responder = self.responder
        facts = responder.knowledge.facts
        gives = responder.gives(fact.id)
        related = [f for f in fact.related if f in facts]
        counted = Asked.AMOUNT in gives and not _SINCE.isdisjoint(key.surface)
        since = [f for f in related if counted
                 and Asked.WHEN in (told := responder.gives(f)) and Asked.UPCOMING not in told
                 and set(fact.entities) <= set(facts[f].entities)]
        if Asked.PERSON in gives and not since and any(w.startswith(_SAYING)
                                                       for w in key.surface):
            # "কবে কইছে?" after what Zuckerberg hinted: when he said it, told by the fact of
            # his words next to it.
            return [f for f in related if Asked.PERSON in (told := responder.gives(f))
                    and Asked.WHEN in told]
        if since or Asked.UPCOMING not in gives or Asked.PERSON in gives:
            return since
        return [f for f in related if facts[f].topic == fact.topic
                and asked | {Asked.UPCOMING} <= responder.gives(f)]

    def _the_last_again(self, context: Context, asked: frozenset[Asked], now: datetime) -> Turn:
        """The last question's fact again, for what a follow-up asks of it (or the related
        fact that is for the names it lists in passing)."""
        assert context.fact is not None
        told = self._dedicated(context.fact, asked) or context.fact
        return self._turn(TurnKind.FOLLOW_UP, (self.responder.answer_fact(told, now),),
                          context, now, context.question, resolved=context.question)

    def _dedicated(self, fact_id: str, asked: frozenset[Asked]) -> str | None:
        """A related fact that is for the names `fact_id` lists only in passing: "কারা?" after
        Llama's many uses, whose answer names Spotify, asks the companies' own fact."""
        responder = self.responder
        names = asked & _NAMING
        if (not names or names & responder.example_asks(fact_id)
                or Asked.LISTED not in responder.gives(fact_id)):
            return None
        return next((f for f in responder.knowledge.facts[fact_id].related
                     if f in responder.knowledge.facts and asked <= responder.gives(f)
                     and names | {Asked.LISTED} <= responder.example_asks(f)), None)

    def _read_as(self, resolved: str, alone: Answer, context: Context, now: datetime,
                 new_subject: bool = False, asked: frozenset[Asked] = frozenset(),
                 exact: bool = False, own: str = "") -> Turn | None:
        # "আর এটা প্রথম বাজারে এসেছিল কোন সালে?"
        answer = self._agreed(self.responder.ask(resolved, now), alone, now)
        if answer.kind is AnswerKind.FACT and answer.fact_id is not None and (
                not asked <= self.responder.gives(answer.fact_id)
                or answer.fact_id == context.fact and exact):
            # "কোন কোন বই?" of the lawsuit: the fact is right, the names are not in it; and
            # "what exactly does Spotify do with it?" right after that fact asks more than it
            # told.
            answer = self.responder.not_in_article(resolved, (answer.fact_id,))
        if (answer.kind is AnswerKind.FACT and answer.fact_id is not None and own
                and alone.kind is not AnswerKind.FACT
                and (asked & {Asked.AMOUNT, Asked.MONEY}
                     or not any(w in _QUESTION_WORDS for w in own.split()))
                and self._holds_none(own, answer.fact_id)):
            # "online e dekha jabe?" after LlamaCon: read with the context it is LlamaCon's,
            # but the fact holds none of the words the message brings (online, watching).
            answer = self.responder.not_in_article(resolved, (answer.fact_id,))
        if (answer.kind is AnswerKind.FACT and answer.fact_id not in (None, context.fact)
                # "who filed it?" after the lawsuit: "who" of Llama is who made it, but
                # filing belongs to the lawsuit; moving on needs a word of the new fact.
                and own and self._holds_none(own, answer.fact_id or "")
                and not self.responder.subjects.spans(self.responder.matcher.key(own))):
            answer = self.responder.not_in_article(resolved, (answer.fact_id or "",))
        if (answer.kind is AnswerKind.FACT and answer.fact_id is not None
                and self.responder.purpose_of_listed(
                    self.responder.matcher.key(alone.question), answer.fact_id)):
            # "what does spotify use it for?" after the adopters: read with the last question
            # it is their fact, which names Spotify but not what it does with Llama.
            answer = self.responder.not_in_article(resolved, (answer.fact_id,))
        if (answer.kind is AnswerKind.FACT and answer.fact_id is not None
                and alone.kind is not AnswerKind.FACT and not self._moved_on(answer, alone, context)
                and self._unknown_words(alone.question)):
            # "will it handle video too?": the context names the fact, but this asks about
            # something no fact knows (video), so the article does not say.
            answer = self.responder.not_in_article(resolved, (answer.fact_id,))
        if answer.kind is AnswerKind.FACT or new_subject or (
                answer.kind is AnswerKind.NOT_IN_ARTICLE and alone.kind is not AnswerKind.FACT):
            return self._turn(TurnKind.FOLLOW_UP, (answer,), context, now, clean(resolved),
                              resolved=resolved)
        return None

    def _moved_on(self, reading: Answer, alone: Answer, context: Context) -> bool:
        """Whether a follow-up read with the context moves on from the last answer to a fact
        next to it, or to the one the message alone leans to: its known words moved it, and a
        word no example uses ("lots", "evidence") is how it is said, not what it asks."""
        fact = self.responder.knowledge.facts.get(context.fact or "")
        return reading.fact_id != context.fact and (
            (fact is not None and reading.fact_id in fact.related)
            or alone.suggestions[:1] == (reading.fact_id,))

    def _agreed(self, reading: Answer, alone: Answer, now: datetime) -> Answer:
        """`reading` (a message read with the context's or an earlier part's subject), sure
        when it and the message alone are unsure of the same first fact: two readings agree."""
        if (reading.kind is AnswerKind.SUGGEST is alone.kind
                and reading.suggestions[:1] == alone.suggestions[:1]):
            return self.responder.answer_fact(reading.suggestions[0], now)
        return reading

    def _holds_none(self, words: str, fact_id: str) -> bool:
        """Whether `fact_id`'s examples hold none of the content weight of `words`' own words
        (question words and pointers aside); False when they have none."""
        matcher = self.responder.matcher
        key = matcher.key(" ".join(w for w in words.split() if w not in _QUESTION_WORDS))
        if not matcher.content_positions(key):
            return False
        return matcher.shares(key, [frozenset({fact_id})])[0] < HOLDS_NONE

    def _unknown_words(self, text: str) -> tuple[str, ...]:
        """The words of `text` no example uses (not grammar, not verbs), but for a subject's
        name: "metas" (Meta's, typed without its apostrophe) is an alias, not something new."""
        result = self.responder.matcher.match(_without_pointers(clean(text)))
        if not result.unknown:
            return ()
        key = result.key
        named = {key.phonetic[i] for _, start, end in self.responder.subjects.spans(key)
                 for i in range(start, end)}
        return tuple(w for w in result.unknown if w not in named)

    # ----------------------------------------------------------------- several questions

    def _compound(self, text: str, context: Context, now: datetime,
                  share: bool = True) -> Turn | None:
        """One answer per clause, when each clause answers a different fact by itself."""
        clauses = self._questions_in(text, now, share)
        if len(clauses) == 1 and share and (pair := self._pair_asked(text)) is not None:
            return self._turn(TurnKind.COMPOUND,
                              tuple(self.responder.answer_fact(f, now) for f in pair),
                              context, now, clean(text))
        if not 2 <= len(clauses) <= MAX_CLAUSES:
            return None
        answers: list[Answer] = []
        borrowed: set[int] = set()  # parts read with the subject of an earlier part
        subject = question = ""
        for clause, own, named in clauses:
            answer = self.responder.ask(clause, now, clause=True)
            if named:
                # A part made of a shared question ("লামা কী?") must be sure, of the fact its
                # named thing alone points to; else "দুইটা প্রশ্ন—" was no thing named.
                alone = self.responder.ask(named, now, clause=True)
                if answer.kind is not AnswerKind.FACT or answer.fact_id != alone.leading_fact:
                    return self._compound(text, context, now, share=False) if share else None
                borrowed.add(len(answers))
            if own != clause:
                # "Quick ones: what is Llama": the words joined before it may only blur it,
                # or pull it to the story's fact ("...open source LLM is popular. Koto
                # download hoise?").
                alone = self.responder.ask(own, now, clause=True)
                if alone.kind is AnswerKind.FACT and (answer.kind is not AnswerKind.FACT
                                                      or alone.score > answer.score):
                    answer = alone
            answered = tuple(a.fact_id for a in answers
                             if a.kind is AnswerKind.FACT and a.fact_id is not None)
            key = self.responder.matcher.key(clause)
            if ((answer.kind is not AnswerKind.FACT or self._asks_what_it_shows(key))
                    and len(answered) >= 2 and self._points(key) and (
                        together := self._related_to_all(answered, key)) is not None):
                # "মামলা কী নিয়ে? ইউরোপে কী হলো? আর এগুলো থেকে কী শিক্ষা?": what the parts
                # before it tell together, the one fact related to them all.
                answer = self.responder.answer_fact(together, now)
            if answer.kind is not AnswerKind.FACT and subject and (
                    not self._subject_of(clause) or self._points(key)
                    or not _THE_COMPANY.isdisjoint(clean(clause).split())):
                if not (clause.endswith("?") or self.responder.asks.asked(key)
                        or _inverted(clause)):  # "...and why is it so popular with them"
                    continue  # ", ki lav": a tail of the last question, not one of its own
                # "লামাকন কী আর কবে হবে?", "What is Llama and who uses it?": a clause without
                # a subject borrows the last one named.
                # "লামা কী, আর ইউরোপে এটা কেন চালু হয়নি?"
                answer = self._agreed(self.responder.ask(
                    f"{subject} {_without_pointers(clean(clause))}", now, clause=True),
                    answer, now)
                borrowed.add(len(answers))
            if answer.kind is AnswerKind.FACT:
                if answer.fact_id in {a.fact_id for a in answers}:
                    continue  # the same thing asked twice over
                question = question or clean(clause)  # the first is the main one
            subject = self._subject_of(clause) or subject
            answers.append(answer)
        facts = {a.fact_id for a in answers if a.kind is AnswerKind.FACT}
        # Beside a part answered surely, a part unsure only between close facts (scored as
        # high as a sure answer) takes the first of them that no other part answered: "How
        # many downloads? Who uses it commercially?" Not when the message asks what the
        # article lacks ("which companies complained? name them").
        surer = {i: s for i, a in enumerate(answers) if facts and i not in borrowed
                 and (s := self._surer(a, facts, now)) is not a}
        # A part unsure of another fact than those answered: its "did you mean" (or "the
        # article does not say") beside the parts answered, not the whole message unsure.
        unsure = [a for a in answers
                  if (context.fact is None and a.kind is AnswerKind.SUGGEST
                      or self._told_beside(a, facts) and (
                          context.fact is None or bool(self._subject_of(a.question))))
                  and not set(a.suggestions[:1]) <= facts and not self._bare(clean(a.question))]
        if not facts or len(facts) + len(surer) < 2 and not unsure:
            return None  # one thing asked in several words, or a list inside one question
        whole = self.responder.ask(text, now)
        if surer and whole.kind is not AnswerKind.NOT_IN_ARTICLE:
            answers = [surer.get(i, a) for i, a in enumerate(answers)]
            facts = {a.fact_id for a in answers if a.kind is AnswerKind.FACT}
        if whole.kind is AnswerKind.FACT and whole.fact_id not in facts and (
                agreeing := next((i for i, a in enumerate(answers)
                                  if a.kind is AnswerKind.SUGGEST
                                  and a.leading_fact == whole.fact_id), None)) is not None:
            # "which companies use llama and why is it so popular with them": the part unsure
            # of a fact and the whole message sure of it agree; the whole alone drops the rest.
            answers[agreeing] = self.responder.answer_fact(whole.fact_id or "", now)
            facts.add(whole.fact_id)
        if len(facts) < 2 and not (unsure and whole.kind is not AnswerKind.FACT):
            return None  # one thing asked in several words, or a list inside one question
        if (whole.kind is AnswerKind.FACT and whole.fact_id not in facts
                and all(whole.score >= a.score for a in answers)):
            # "কপিরাইট মামলা ও গোপনীয়তা কী মনে করিয়ে দেয়?": another fact answers the whole
            # better than any part is answered alone (one of the parts' own facts would drop
            # the other parts).
            return None
        # A fragment understood as nothing ("...and hear audio too?") is no part to answer,
        # nor a plea that is only talk ("একটু help করো please?").
        smalltalk = self.responder.knowledge.smalltalk
        parts = tuple(a for a in answers
                      if a.kind not in (AnswerKind.SMALLTALK, AnswerKind.FALLBACK)
                      and not (a.kind is AnswerKind.SUGGEST and a.intent_id in smalltalk))
        return self._turn(TurnKind.COMPOUND, parts, context, now, question)

    def _pair_asked(self, text: str) -> tuple[str, str] | None:
        """The two facts one question asks at once, naming a thing of each joined by "and"
        ("will llama get multimodal and agent features?", "‘মাল্টিমোডাল’ ও ‘এজেন্টিক’
        বৈশিষ্ট্যের অর্থ কী?"): the two it is closest to, each holding a word the other
        does not, on either side of the "and". None for most messages."""
        words = clean(text).split()
        if _PAIR_JOINS.isdisjoint(words) or not _COMPARING.isdisjoint(words):
            return None
        matcher = self.responder.matcher
        key = matcher.key(text)
        ranked = matcher.match(text, key).ranked[:2]
        facts = self.responder.knowledge.facts
        if (len(ranked) < 2 or any(s.intent_id not in facts for s in ranked)
                or ranked[1].score < self.responder.policy.suggest_at
                or ranked[0].score - ranked[1].score > STAY_MARGIN):
            return None
        one, other = ranked[0].intent_id, ranked[1].intent_id
        content = set(matcher.content_positions(key))

        def held(i: int) -> str | None:
            if i not in content:
                return None
            word = matcher.key(key.surface[i])
            return (one if self._held_by_one(word, one, other)
                    else other if self._held_by_one(word, other, one) else None)

        for j, w in enumerate(key.surface):
            if w not in _PAIR_JOINS:
                continue
            before = {held(i) for i in range(max(j - 2, 0), j)} - {None}
            after = {held(i) for i in range(j + 1, min(j + 3, len(key.surface)))} - {None}
            if len(before) == 1 and len(after) == 1 and before != after:
                return (before.pop() or "", after.pop() or "")
        return None

    def _told_beside(self, answer: Answer, facts: set[str | None]) -> bool:
        """Whether `answer` says the article lacks what its part asks of a fact next to one
        answered ("মামলা কারা করেছে আর ইউরোপে কী সমস্যা?": who sued is not told, Europe is):
        a part of its own, not a detail of the answered part ("..., গবেষকদের নাম কী?")."""
        if answer.kind is not AnswerKind.NOT_IN_ARTICLE or not answer.suggestions:
            return False
        closest = self.responder.knowledge.facts.get(answer.suggestions[0])
        return closest is not None and not facts.isdisjoint(closest.related)

    def _surer(self, answer: Answer, answered: set[str | None], now: datetime) -> Answer:
        matcher = self.responder.matcher
        words = clean(answer.question)
        if (answer.kind is not AnswerKind.SUGGEST
                or answer.score < self.responder.policy.part_answer_at
                or self._bare(words)
                or words.split(" ", 1)[0] in _AND
                and len(matcher.content_positions(matcher.key(words))) < 2):
            # "kobe?" alone says of what only with another part's subject; "আর টাকা?" (and
            # the money?) one word of a thing, unsure, is no question of its own.
            return answer
        fresh = [f for f in answer.suggestions if f not in answered]
        if not fresh or fresh[0] != answer.suggestions[0]:
            return answer
        return self.responder.answer_fact(fresh[0], now)

    def _questions_in(self, text: str, now: datetime,
                      share: bool = True) -> list[tuple[str, str, str]]:
        """The questions a message asks: its clauses, a clause that asks nothing joined to the
        next ("লামা ও মেটা এআই কী?" is one question), every item when a list is asked for
        ("Tell me about X, Y and Z", "দুটোই বলো"). Each with the words it asks in itself
        (without what was joined before it), and the thing it names when it was made of the
        next one's question ("লামা" of "লামা ও মেটা এআই কী?", with `share`)."""
        matcher = self.responder.matcher
        clauses = self._objects_joined(text, _clauses(text))
        if len(clauses) < 2 and not _TEXTED_AND.search(text):
            return [(c, c, "") for c in clauses]  # most messages: one clause, no key
        if len(clauses) > MAX_QUESTIONS:
            return [(text, text, "")]  # no one asks a dozen things at once: read it whole
        listed = self._topics_then_request(clauses)
        # "my manager wants three bullets: X, Y and Z": a count before a colon announces them.
        counted = _COUNT_ANNOUNCED.search(text)
        # A clause of grammar alone asks nothing of its own, but after a story it asks about
        # the story ("...জাকারবার্গ নাকি কইছে এ বছর লামাই সেরা। আসলে উনি কী কইছিল?"); "is it
        # true?" only doubts it.
        kept, story = [], False  # story: a sentence of story waits for its question
        told = _statements(text)
        for clause in clauses:
            asks = self._asks(clause)
            if matcher.content_positions(matcher.key(clause)):
                kept.append(clause)
                story = not asks
            elif story and asks and _TRUE.isdisjoint(clean(clause).split()):
                kept.append(clause)
                story = False
            elif story and asks and (not any(kept[-1] in t for t in told)
                                     or not _HEARSAY.isdisjoint(clean(kept[-1]).split())):
                # "Spotify নাকি Llama use করে, সত্যি?": the doubt makes the claim it closes
                # a question; after a full stop it doubts a story told, unless what it told
                # was hearsay ("বস বলল লামা নাকি ১ বিলিয়ন ডাউনলোড পার করছে। সত্যি?").
                kept[-1] = f"{kept[-1]} {clause}"
                story = False
        clauses = kept
        cleaned = clean(text)
        if any(p in cleaned for p in _LIST_REQUEST) or " + " in text or listed or counted:
            # "...নোটে তিনটা জিনিস রাখতে চাই: X, Y, আর Z।": a list announced is what follows
            # the announcement, not the story before it.
            # ("Tell me about the war rooms, ..." names its first item itself.)
            announced = next((n for n, c in enumerate(clauses)
                              if any(p in clean(c) for p in _LIST_REQUEST)
                              or counted and c.endswith(counted.group(1))), None)
            if (announced is not None and len(clauses) - announced > 2
                    and self.responder.ask(clauses[announced], now).kind is not AnswerKind.FACT):
                clauses = clauses[announced + 1:]
            # Every item of the list, also those joined by a romanized "r" ("reasoning r
            # multimodal duitar bepare bolo").
            items = [i for c in clauses for i in _TEXTED_AND.split(c)[::2]]
            # The request itself ("tinta niye short e bolo") is no item.
            return [(i, i, "") for i in items if self._beyond_request(i)]
        # "koto download hoise r kobe launch hoise?": a romanized "r" (or a texted "n")
        # between two parts that each ask; "meta r llama" (Meta's Llama) asks once.
        clauses = [part for c in clauses for part in self._split_on_and(c)]
        questions: list[tuple[str, str, str]] = []
        pending = ""
        for number, clause in enumerate(clauses):
            following = clauses[number + 1] if number + 1 < len(clauses) else ""
            if questions and not pending and clean(clause).startswith(_RESTATING):
                # "..., মানে এটা বিনা পয়সায় দিচ্ছে কেন?": the same question in other words.
                question, own, named = questions[-1]
                questions[-1] = (f"{question} {clause}", f"{own} {clause}", named)
            elif (self._asks(clause) and (_requests(clause) or not any(clause in t for t in told))
                  or _heard_of(clause) and not pending and following
                  and not _points_back(following)):
                if share and (asked := self._shared_by(pending, clause)) is not None:
                    # "লামা ও মেটা এআই কী?": each named thing asked what the last one is asked;
                    # answered in parts only when each part is sure of a fact of its own.
                    questions += [(asked, asked, pending), (clause, clause, "")]
                    pending = ""
                    continue
                # A story before the question stays a sentence of its own: the question is
                # then found in it as in any long message.
                joint = "। " if len(pending.split()) >= STORY_WORDS else " "
                questions.append((f"{pending}{joint}{clause}".strip(), clause, ""))
                pending = ""
            else:
                pending = f"{pending} {clause}".strip()
        if pending and questions:
            question, own, named = questions[-1]
            questions[-1] = (f"{question} {pending}", f"{own} {pending}", named)
        return questions

    def _shared_by(self, named: str, clause: str) -> str | None:
        """`named` (a thing or two named before `clause`, "লামা" of "লামা ও মেটা এআই কী?")
        asked what `clause` asks of its own first words with question words alone ("লামা
        কী?"); None when `named` is no such thing or the clause compares ("ডিপসিক আর লামার
        মধ্যে কোনটা ভালো?")."""
        matcher = self.responder.matcher
        if (not named or len(named.split()) > OBJECT_WORDS or self._asks(named)
                or not matcher.content_positions(matcher.key(named))
                or not _COMPARING.isdisjoint(clean(clause).split())):
            return None
        words = clause.split()
        first = next((i for i, w in enumerate(words)
                      if not matcher.content_positions(matcher.key(w))), len(words))
        asked = " ".join(words[first:])
        if first == 0 or not asked or matcher.content_positions(matcher.key(asked)):
            # Nothing named first, nothing asked after it, or words of its own that ask of
            # both together ("মামলা ও গোপনীয়তার উদ্বেগ কী মনে করিয়ে দেয়?").
            return None
        return f"{named} {asked}"

    def _objects_joined(self, text: str, clauses: list[str]) -> list[str]:
        """"what did he say about Llama and open source?": a last clause of a few words joined
        by "and", asking only by the message's "?" and naming no subject, is the object of the
        question before it ("What is Llama and LlamaCon?" asks of two subjects)."""
        if len(clauses) < 2:
            return clauses
        last, before = clauses[-1], clauses[-2]
        bare = last.rstrip("?").strip()
        if (last.endswith("?") and len(bare.split()) <= OBJECT_WORDS
                and _AND_BEFORE.search(text[: len(text) - len(last)])
                and not self._asks(bare) and not before.endswith("?") and self._asks(before)
                and not self.responder.subjects.spans(self.responder.matcher.key(bare))):
            return [*clauses[:-2], f"{before} and {last}"]
        return clauses

    def _topics_then_request(self, clauses: list[str]) -> bool:
        """Topics named one after another, then a request: "লাইসেন্স বিতর্ক, ইইউ বাধা আর
        নৈতিক বিবেচনা: সংক্ষেপে বলুন", "the lawsuit, the EU: explain briefly"."""
        if len(clauses) < 3 or not any(w in _REQUESTS for w in clean(clauses[-1]).split()):
            return False
        # A topic is named in a few words; a story's clauses ("বন্ধু বলল অফিসে লামা নিয়ে
        # কাজ করছে, ... বুঝিয়ে বলো") say more.
        return not any(self._asks(c) or len(c.split()) >= STORY_WORDS for c in clauses[:-1])

    def _beyond_request(self, item: str) -> bool:
        """Whether a list's item names something besides asking for the list."""
        words = clean(item)
        for phrase in _LIST_REQUEST:  # with its word's ending: "তিনটা নিয়েই"
            words = re.sub(re.escape(phrase) + r"\S*", " ", words)
        matcher = self.responder.matcher
        return bool(matcher.content_positions(matcher.key(words)))

    def _split_on_and(self, clause: str) -> list[str]:
        parts = _TEXTED_AND.split(clause)  # part, "and", part, "and", part...
        if len(parts) > 2 * MAX_QUESTIONS:
            return [clause]  # "x r y r z ...": no list of questions, and each join costs
        out = parts[:1]
        for joint, part in zip(parts[1::2], parts[2::2], strict=True):
            # Each side by its own words: the message's "?" closes only the last part; "r"
            # right after a name, before words naming nothing, is its possessive ("oita ki
            # meta r prothom conference?").
            if (self._asks(out[-1].rstrip("?")) and self._asks(part.rstrip("?"))
                    and not (self._ends_on_a_name(out[-1]) and not self._subject_of(part))):
                out.append(part)
            else:
                out[-1] += joint + part
        return out

    def _ends_on_a_name(self, words: str) -> bool:
        key = self.responder.matcher.key(words)
        return any(end == len(key.surface) for _, _, end in self.responder.subjects.spans(key))

    def _subject_of(self, clause: str) -> str:
        """The words naming the subjects of a clause ("llama", "লামাকন")."""
        key = self.responder.matcher.key(clause)
        return _named_words(key, self.responder.subjects.spans(key))

    def _asks(self, clause: str) -> bool:
        """Whether a clause stands as a question: a "?", a question word, or an English opener."""
        words = clean(clause).split()
        folded = {surface_word(w) for w in words} | set(words)
        # "is meta" (of "is meta also making...") is an opener cut short, not a question.
        return (clause.endswith("?") or len(words) > 2 and words[0] in _AUXILIARIES
                or len(words) > 1 and words[0] in _IMPERATIVES
                or any(w in _INTERROGATIVES for w in folded)
                # "lamacon er tarikh ta bolo", "tell me the date": a request for an aspect
                or not folded.isdisjoint(_REQUESTS) and not folded.isdisjoint(_ASPECTS)
                or _asks_also(words, folded)
                or any(w in _ASKING_PARTICLES for w in words[-2:])
                or bool(self.responder.asks.asked(self.responder.matcher.key(clause))))

    # ----------------------------------------------------------------- bookkeeping

    def _turn(self, kind: TurnKind, answers: tuple[Answer, ...], context: Context,
              now: datetime, question: str, resolved: str = "") -> Turn:
        facts = tuple(a.fact_id for a in answers if a.kind is AnswerKind.FACT and a.fact_id)
        unsure = next((a for a in answers if a.kind is AnswerKind.SUGGEST), None)
        choices = unsure.suggestions if unsure else ()
        offered = unsure.normalized if unsure else ""
        told = next((a for a in answers if a.kind is AnswerKind.NOT_IN_ARTICLE and a.suggestions),
                    None)
        if facts:
            shown = tuple(dict.fromkeys((*context.shown, *facts)))
            # A message's first question is what it is about; later ones are most often
            # asides ("DeepSeek কী? লামার সাথে এর সম্পর্ক কী?"): "it" next is the first's.
            updated = Context(facts=(*context.facts, *reversed(facts))[-3:], shown=shown,
                              choices=choices, question=question, offered=offered, idle=0,
                              at=now)
        elif told is not None and (context.fact is None or told.suggestions[0] in context.facts):
            # "who sued Meta?" to begin with: the article does not say, but the lawsuit is
            # what is talked about now; "কেন?" or "আরও বলো" go on from it (not shown yet:
            # "more" tells it). Later in a conversation, what was answered stays the subject.
            closest = told.suggestions[0]
            updated = replace(context, facts=(*(f for f in context.facts if f != closest),
                                              closest)[-3:],
                              choices=(), offered="", idle=context.idle + 1, at=now,
                              question=context.question or question)
        elif (context.fact is None and not choices
              and (subject := self._subject_fact(answers[0].question)) is not None):
            # "এই লামা কি কোনো জন্তু?" to begin with, not understood: still, Llama is what
            # is talked about now, and "কারা বানিয়েছে?" next asks of it.
            updated = replace(context, facts=(subject,), choices=(), offered="",
                              idle=context.idle + 1, at=now, question=context.question or question)
        else:
            updated = replace(context, choices=choices, offered=offered, idle=context.idle + 1,
                              at=now, question=context.question or question)
        return Turn(kind, answers, updated, resolved=resolved)

    def _subject_fact(self, question: str) -> str | None:
        """The fact of the one subject with a fact of its own that `question` names."""
        knowledge = self.responder.knowledge
        named = self.responder.subjects.named(self.responder.matcher.key(clean(question)))
        own = {f for e in named if e in knowledge.entities
               and (f := knowledge.entities[e].fact) in knowledge.facts}
        return own.pop() if len(own) == 1 else None


# How a question asks, not about what: a view asked for ("what does the report think"), or
# the time it counts from ("since then").
_FRAMING = ("think", "thinks", "believe", "believes", "opinion", "view", "ভাবা", "ভাবে", "ভাবছে",
            "মনে করে", "মনে করা", "মত", "মতামত", "bhabe", "mone kore",
            # "and since then how many downloads?" after the launch: the time counted from
            # is the last answer's, not the launch asked again
            "since")


def steers(text: str) -> bool:
    """Whether `text` only steers a conversation ("আরও বলো", "হ্যাঁ", "২", "না") instead of
    asking: no example question can teach the bot to answer it."""
    words = clean(text)
    return (words in _MORE or words in _YES or words in _NO or words in LAST
            or typed_number(words) is not None)


def _listed(turn: Turn) -> tuple[str, ...]:
    """The questions a turn's one reply offers that a number picks besides "did you mean"
    choices and a fact's related ones; a number past them keeps them on offer."""
    if turn.kind is TurnKind.OUT_OF_RANGE:
        return turn.context.listed
    if len(turn.answers) != 1 or turn.answer.kind in (AnswerKind.FACT, AnswerKind.SUGGEST):
        return ()
    return turn.answer.suggestions


def _clauses(text: str) -> list[str]:
    """The clauses of `text`, each with the "?" that closed it, if one did."""
    text = _LIST_MARKER.sub("\n", text)
    clauses, start = [], 0
    for found in _CLAUSE_BREAK.finditer(text):
        clause = text[start:found.start()].strip()
        if _BETWEEN.search(clause) and found.group().strip().lower() in ("and", "&"):
            continue  # "between Meta and European regulators": one thing, not two
        if clause:
            clauses.append(clause + ("?" if "?" in found.group() else ""))
        start = found.end()
    if text[start:].strip():
        clauses.append(text[start:].strip())
    return clauses


# Words of a comparison: "X আর Y এর মধ্যে কোনটা ভালো?" asks one thing of both.
# "and" between two things one question asks of ("multimodal and agent features")
_PAIR_JOINS = phrases("ও|আর|এবং|and|&|ar|plus")
_COMPARING = phrases("মধ্যে|মাঝে|চেয়ে|চাইতে|তুলনায়|তুলনা|বনাম|between|than|vs|versus|compare|"
                     "compared|better|moddhe|majhe|cheye|chaite|tulonay|tulona")
_BETWEEN = re.compile(r"\b(?:between|both)\s+\S+(?:\s+\S+)?$", re.IGNORECASE)
# Words that begin an English yes/no question ("is it free?", "does Meta ...").
_WH = phrases("what|when|where|why|how|who|which|whose|whom")
_AUXILIARIES = phrases("is|are|was|were|do|does|did|can|could|will|would|has|have|should|"
                       "r")  # "r the new llamas gonna...": "are" as texted
# A message asking for each item of a list: "Tell me about the war rooms, the investment and
# DeepSeek", "দুটোই বলো".
_LIST_REQUEST = ("tell me about", "give me", "দুটোই", "দুটিই", "দুইটাই", "তিনটাই", "তিনটিই",
                 "উভয়", "দুটো নিয়েই", "দুটি নিয়েই", "দুটো সম্পর্কে", "দুটি সম্পর্কে", "দুটি বিষয়",
                 "তিনটা নিয়েই বলো", "সবগুলো বলো", "সব কটা বলো", "দুইটা নিয়ে",
                 "তিনটা নিয়ে", "both", "all three", "each of", "duita niye",
                 "duitai", "tin ta niye", "tinta niye", "tintai", "dutoi",
                 # "দুইটার খবর কী", "তিনটিরই উত্তর দিন": the count, possessive
                 "দুইটার", "দুটোর", "দুটির", "তিনটার", "তিনটির", "তিনটের", "duitar", "dutor",
                 "tintar", "তিনটি বিষয়", "তিনটা বিষয়", "দুইটা বিষয়", "দুই বিষয়", "তিন বিষয়",
                 "two things", "three things", "both things",
                 # "তিনটা জিনিস জানতে চাই: ...", "এই দুইটা ব্যাপার খুলে বলবেন?"
                 "দুইটা জিনিস", "দুটো জিনিস", "দুটি জিনিস", "তিনটা জিনিস", "তিনটি জিনিস",
                 "দুইটা ব্যাপার", "দুটো ব্যাপার", "দুটি ব্যাপার", "তিনটা ব্যাপার", "তিনটি ব্যাপার",
                 "duita jinish", "tinta jinish", "duita bepar", "tinta bepar")
_CONNECTIVES = phrases("আর|তো|তাহলে|তাই|আচ্ছা|and|so|then|really|ar|tahole")
# What a request may ask for ("tarikh ta bolo"): the nouns among the words asking alone.
_ASPECTS = _ASKING_ONLY_ALONE - _CONNECTIVES - phrases("সত্যি|sotti")
_ALSO = phrases("also|too|as well|সাথে|সঙ্গে|পাশাপাশি|তাছাড়া|এছাড়া|o|sathe|shathe|pashapashi|"
                "tao|teo")  # "copyright mamla tao ektu bolo" (that too)
# An English request opening a clause: "Explain the agentic features."
_IMPERATIVES = phrases("explain|describe|summarise|summarize|define|outline|elaborate|tell")
# "tool dey naki meta", "ফ্রি কিনা": a yes/no question closed by a particle, not a "?".
_ASKING_PARTICLES = phrases("নাকি|কিনা|naki|kina")
# "reasoning model er kotha sunlam, sathe ...": a topic heard of, asked about with the next;
# unless the next asks about what was heard ("..., ata ki sotti?", "..., সেটা কী ব্যাপার?").
_HEARD = phrases("শুনলাম|শুনেছি|শুনছি|শুনতেছি|শুনতাছি|শুনলাম যে|sunlam|shunlam|shunchi|sunchi|"
                 "shunechi|sunechi|heard")
# Words that tell a claim is heard, not known: "লামা নাকি ...", "shunlam ..."
_HEARSAY = _ASKING_PARTICLES | _HEARD
_TRUE = phrases("সত্যি|সত্য|সত্যিই|হাচা|sotti|shotti|true|really")
_BACK = _THING_POINTERS | _TRUE | phrases("ata|sheta|এইটা|ওইটা")
# Questions for names: who, which ones.
_NAMING = frozenset({Asked.WHO, Asked.NAMES, Asked.LISTED})
# What follows says the last question again ("..., মানে ...", "I mean ...") or gives its
# other choice ("..., নাকি নানা কাজে?", "..., or many?").
_RESTATING = ("মানে ", "অর্থাৎ ", "mane ", "i mean ", "i e ", "that is ",
              "নাকি ", "naki ", "or ", "অথবা ", "না কি ")
_BENGALI_WORD = re.compile(r"[\u0980-\u09ff]+$")
# A clause asking to be told ("মাল্টিমোডাল ফিচারের কথাও বলো", "reasoning er khobor dao") stands
# as a question of its own.
_REQUESTS = phrases("বলো|বলুন|বলেন|বলবেন|বলবে|বলবি|বলিস|দাও|দিন|দেন|দিবেন|দেবেন|জানাও|জানান|"
                    "জানাবেন|জানাবে|শোনাও|শোনান|ব্যাখ্যা|tell|explain|describe|bolo|bolen|"
                    "bolben|dao|din|den|janao|janan|janaben|"
                    # spoken "say": "ওয়ার রুমের কথাও কন", "লগে ... কইয়ো"
                    "কও|কন|কইও|কইয়ো|কইবা|কইবেন|কইন|কইয়েন|কয়ো|kou|koio|koiyo|koiben")


def _statements(text: str) -> list[str]:
    """The sentences without a "?" before a message's last "?": its story ("ও বলছিল ওখানে
    অনেক কিছু নাকি আসেইনি।", "ami jani na eta ki jinis."), unless they ask to be told. A
    last question often goes without its "?", and a numbered list's items ask each."""
    if "?" not in text or _LIST_MARKER.search(text):
        return []
    # Told with a full stop: a line of its own may be a question without its "?"; and
    # English says a question by its order, whatever the stop ("What did he say on the call.").
    asked = text[:text.rindex("?") + 1]
    return [s.rstrip("।.!") for s in sentences(asked)
            if s.endswith(("।", ".", "!")) and not _inverted(s) and not _asked_before_and(s, asked)]


def _asked_before_and(sentence: str, text: str) -> bool:
    """Whether a sentence with a question word is followed by "আর", "and", "also" opening
    the next: "ইউরোপে লামার কী সমস্যা হইছে। আর নৈতিক দিক নিয়া রিপোর্ট কী কয়?" asks twice,
    its first question typed with a dari."""
    after = text[text.index(sentence) + len(sentence):].split(maxsplit=1)
    words = set(clean(sentence).split())
    return (bool(after) and clean(after[0]) in _AND_OPENERS
            and not words.isdisjoint(_INTERROGATIVES))


def _inverted(sentence: str) -> bool:
    """Whether a sentence opens as an English question: a wh-word, then soon an auxiliary
    ("what did", "how many times has")."""
    words = clean(sentence).split()
    return len(words) > 2 and words[0] in _WH and not _AUXILIARIES.isdisjoint(
        words[1:INVERSION_WORDS])


def _after_who_asks(text: str) -> str:
    """What a message says someone wants to know ("বোন জানতে চায় লামা কী": "লামা কী"), or
    "" when it says no one asks, or nothing after the asking."""
    # The last asking: "boss asked me, and I want to know: ..."
    ends = [found.end() for found in _WANTS_TO_KNOW.finditer(text)]
    return text[ends[-1]:].strip() if ends else ""


def _requests(clause: str) -> bool:
    return not _REQUESTS.isdisjoint(clean(clause).split())


def _asks_another(words: str) -> bool:
    """Whether a message asks for another fact than the last one ("এর বাইরে", "besides")."""
    return any(p in words for p in _OTHER_THAN)


def _points_back(clause: str) -> bool:
    """Whether a clause asks about the one before ("ata ki sotti?", "এটা কী বোঝায়?")."""
    return any(w in _BACK for w in clean(clause).split())


def _heard_of(clause: str) -> bool:
    """Whether a clause ends saying its topic was heard of ("... er kotha sunlam")."""
    words = clean(clause).split()
    return len(words) >= 3 and words[-1] in _HEARD


def _first_question(text: str) -> str:
    """A message's words up to its first "?" (all of it when it has none)."""
    first, mark, _ = text.partition("?")
    return first + mark


def _asks_also(words: list[str], folded: set[str]) -> bool:
    """A request for one thing more: "মাল্টিমোডালের কথাও বলো", "deepseek er khobor o dao";
    not one shaping the answer asked before ("company wise bolo")."""
    return not folded.isdisjoint(_REQUESTS) and (
        not folded.isdisjoint(_ALSO)
        or any(len(w) > 3 and w.endswith("ও") and _BENGALI_WORD.match(w) for w in words))


def _leads_by(ranked: tuple[Scored, ...], first: str, second: str) -> float:
    """How far `first` scores above `second` in `ranked` (an intent not ranked scores 0)."""
    scores = {s.intent_id: s.score for s in ranked}
    return scores.get(first, 0.0) - scores.get(second, 0.0)


def _named_words(key: Key, spans: list[tuple[str, int, int]]) -> str:
    """The words that name subjects, each once: spans overlap ("লামা", "লামা মডেল")."""
    named = sorted({i for _, start, end in spans for i in range(start, end)})
    return " ".join(key.surface[i] for i in named)


def _without_pointers(words: str) -> str:
    return " ".join(w for w in words.split() if w not in _POINTERS)


def _substitute(previous: Key, previous_spans: list[tuple[str, int, int]], key: Key,
                new_spans: list[tuple[str, int, int]]) -> str:
    """The previous question with its subject's words replaced by the new subject's.

    Keys' folded words are used: matching folds them again to the same thing.
    """
    new_words = _named_words(key, new_spans).split()
    old = {i for _, start, end in previous_spans for i in range(start, end)}
    if not old:
        return " ".join([*new_words, *previous.surface])
    out: list[str] = []
    for i, word in enumerate(previous.surface):
        if i in old:
            if i - 1 not in old:
                out.extend(new_words)
            continue
        out.append(word)
    return " ".join(out)
