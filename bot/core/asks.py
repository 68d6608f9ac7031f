"""What kind of answer a question wants (a time, an amount, a place), and whether a fact has it.

"মামলার রায় কবে হবে?" shares its subject with the lawsuit fact, but asks *when*,
and the fact's answer holds no date: the honest reply is that the article does
not say. The same for "how much does Spotify pay?" against a fact without a
number, and "where is LlamaCon?" against one that names no place. Only these
kinds are checked: they are asked often, and an answer plainly holds one or not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum

from bot.core.match import VERB_ENDINGS
from bot.core.normalize import Key, clean, make_key, stems

# The knowledge base's synonym groups, as `Synonyms.rewrite` applies them to cleaned words.
Rewrite = Callable[[list[str]], list[str]]


class Asked(StrEnum):
    WHEN = "when"
    AMOUNT = "amount"
    WHERE = "where"
    # Asked only in a follow-up ("কারা?", "কোন কোন বই?"): whether an answer names who, or a
    # list of names, takes the knowledge base's entities to tell (see `Responder.gives`).
    WHO = "who"
    NAMES = "names"
    # Finer than WHEN and AMOUNT: a year does not say which month, a count is not a price,
    # a total is not a daily figure.
    MONTH = "month"
    MONEY = "money"
    RATE = "rate"
    DURATION = "duration"
    LISTED = "listed"  # several named companies or apps
    CITY = "city"  # finer than WHERE: a country does not say which city
    HOUR = "hour"  # finer than MONTH: a date does not say at what time
    PAST = "past"  # an earlier year than the one a fact tells of ("last year's budget")
    OUTCOME = "outcome"  # a verdict, a settlement, who won
    DAY = "day"  # finer than MONTH: "April" does not say which day
    PERCENT = "percent"  # finer than AMOUNT: a count is not a share
    PERSON = "person"  # finer than WHO: a company is not its founder or its judge
    VERSION = "version"  # which version or release of a model
    WHICH = "which"  # which ones: a list of three or more, named or not
    SHARE = "share"  # a part of a whole ("how much of the $80 billion"): no fact breaks one down
    SPEC = "spec"  # a technical specification (parameters, GPUs, running offline): none given
    UPCOMING = "upcoming"  # a time still ahead ("কবে রিলিজ হবে?"): a past year does not tell it


_ASKING = {
    Asked.WHEN: ("কবে", "কখন", "কোন সালে", "কোন বছর", "কত সালে", "কত সাল", "কোন তারিখে",
                 "তারিখ কবে", "when", "what date", "which year", "kobe", "kokhon", "kon sale",
                 "koto sal", "koto sale", "কুন বছর", "কুন সালে", "কুনদিন", "কুন দিন", "whens",
                 "kon bochor", "kon bochore", "kon bosor", "kon bosore", "কোন বছরে", "kon din",
                 "কোন দিন", "কোন মাসে", "kon mashe", "which month", "which day", "কোন সময়",
                 "কুনসময়", "কুন সময়", "কুনসময়ে", "kon somoy", "kun somoy", "kunsomoy",
                 # "release date?", "launch er tarikh?": a date is a time, however it is asked
                 "date", "dates", "tarikh"),
    Asked.AMOUNT: ("কত", "কতো", "কতজন", "কয়জন", "কজন", "কতবার", "কয়বার", "কয়টা", "কয়টি", "কতগুলো",
                   "how much", "how many", "koto", "koyjon", "kotojon", "koyta", "koita",
                   "kotogulo",
                   # "how old", "how big": a number too, as "কত বয়স", "কত বড়" are
                   "how old", "how big", "how large", "how rich", "how tall", "how far"),
    # A place is asked with a verb of being held or found: "কোথায় পৌঁছেছে" (how far has it
    # got) is not a place. A bare "কোথায়?" is read by the conversation.
    Asked.WHERE: ("কোথায় হবে", "কোথায় হচ্ছে", "কোথায় হয়েছে", "কোথায় হয়েছিল", "কোথায় অনুষ্ঠিত",
                  "কোথায় পাওয়া", "কই হবে", "কোন শহরে", "কোন দেশে", "কোন জায়গায়", "কোন ভেন্যু",
                  "where is", "where will", "where was", "where can", "which city",
                  "which country", "venue", "kothay hobe", "kothay hocche", "kothay hoise",
                  "kothay pawa", "koi hobe", "kon shohore", "kon deshe", "kon city",
                  # "which place", in Sylheti and Chittagonian speech too
                  "কোনখানে", "কোন খানে", "কুনখানো", "কুনখানে", "কুনহানে", "konkhane",
                  "kunkhane", "kunkhano",
                  "কোন আদালত", "কোন আদালতে", "কোন কোর্টে", "which court", "what court",
                  "kon adalot", "kon adalote", "kon court", "কোন court", "কোন কোর্ট",
                  "কোন কোন দেশ", "কোন কোন দেশে",
                  "কোন দেশ থেকে", "কোন দেশ", "kon desh theke",
                  "which countries", "kon kon desh", "kon kon deshe", "where are", "where do",
                  "where does", "located", "location", "অবস্থিত", "কোথায় বানিয়েছে",
                  "kothay banaise",
                  # the occasion something was said at
                  "কোন অনুষ্ঠানে", "কোথায় বলেছেন", "কোথায় বলেছিলেন", "কোথায় দিয়েছিলেন",
                  "which event", "what occasion", "where did he say", "kothay bolechen"),
    # The hour of an event: "LlamaCon কয়টায় শুরু হবে?"
    Asked.HOUR: ("কয়টায়", "কটায়", "কয়টার সময়", "what time", "which time", "koytay", "kotay",
                 "koitay"),
    Asked.CITY: ("কোন শহরে", "কোন শহর", "কোন শহরের", "which city", "what city", "kon shohore",
                 "kon city", "kon shohor"),
    Asked.PAST: ("গত বছর", "আগের বছর", "গেল বছর", "last year", "previous year", "the year before",
                 "goto bochor", "ager bochor", "gelo bochor", "a year ago", "years ago",
                 "এক বছর আগে", "বছর আগে", "bochor age"),
    Asked.MONTH: ("কোন মাসে", "কোন মাস", "ঠিক কবে", "which month", "what month", "kon mase",
                  "kon mashe", "kon mash", "kon mas", "kun mashe", "কুন মাসে"),
    Asked.DAY: ("কোন তারিখে", "কোন তারিখ", "কত তারিখে", "কত তারিখ", "কোন দিন", "কোন দিনে",
                "exact date", "what date", "which date", "which day", "what day", "koto tarikh",
                "kon tarikh", "kon tarikhe", "koto tarikhe", "kon date", "kon din", "kon dine",
                "নির্দিষ্ট তারিখ", "নির্দিষ্ট তারিখে", "নির্দিষ্ট দিনে", "specific date"),
    Asked.PERCENT: ("শতাংশ", "শতকরা", "percent", "percentage", "parsent", "porsent",
                    "sotangsho", "shotangsho"),
    Asked.PERSON: ("প্রতিষ্ঠাতা", "প্রতিষ্ঠা করেছেন", "নেতৃত্বে", "নেতৃত্ব দিচ্ছেন", "নেতৃত্ব দেন",
                   "প্রধান কে", "প্রধান কারা", "who heads", "head of", "the head",
                   "প্রধান নির্বাহী", "সিইও", "বিচারক", "বিচারপতি", "আইনজীবী", "উকিল", "মুখপাত্র",
                   "founder", "founders", "founded", "ceo", "leads", "led by", "in charge",
                   "who is leading", "who is heading", "headed by",
                   "judge", "lawyer", "lawyers", "attorney", "spokesperson", "protishthata",
                   "netritte", "bicharok", "ukil", "জনক", "father of", "godfather", "inventor",
                   "আবিষ্কারক", "উদ্ভাবক", "invented", "দায়িত্বে কে", "দায়িত্বে কারা",
                   "দায়িত্বে আছেন", "দায়িত্বপ্রাপ্ত", "দায়িত্বে কে আছেন", "dayitte ke",
                   # who takes the stage: people, where an event's answer names only its host
                   "বক্তা", "বক্তারা", "বক্তৃতা", "বক্তব্য রাখবেন", "বক্তব্য দেবেন", "অতিথি",
                   "speaker", "speakers", "keynote", "guest", "guests", "bokta", "boktara"),
    Asked.VERSION: ("কোন ভার্সন", "কোন ভার্সনের", "কোন সংস্করণ", "কোন সংস্করণের", "ভার্সন নম্বর",
                    "which version", "what version", "which versions", "version number",
                    "kon version", "kon varsion",
                    # a release the article does not name: a beta, the latest, which first
                    "বিটা", "beta", "সর্বশেষ সংস্করণ", "সর্বশেষ ভার্সন", "লেটেস্ট ভার্সন",
                    "latest version", "কোন মডেলে প্রথম", "kon model e first",
                    "kon model e prothom", "which model will get", "which model gets",
                    "which model first",
                    # a model's name: "ওদের মডেলটার নাম কী?" names a release, not a company
                    "মডেলের নাম", "মডেলটির নাম", "মডেলটার নাম", "model er nam", "model er naam",
                    "model tar nam", "model tar naam", "model called", "model's name",
                    "name of the model", "name of their model"),
    Asked.MONEY: ("কত টাকা", "কত ডলার", "দাম", "খরচ কত", "আয়", "রাজস্ব", "মুনাফা", "লাভ কত",
                  "ফি", "price", "cost", "costs", "fee", "fees", "subscription", "revenue",
                  "income", "profit", "how much money", "koto taka", "dam", "khoroch koto",
                  "ay koto",
                  # paying for it: "টাকা দিতে হয়?", "do they pay Meta?"
                  "টাকা দিতে হয়", "টাকা দিতে হবে", "টাকা দিয়ে ব্যবহার", "টাকা দিয়া", "টাকা লাগে",
                  "টাকা লাগবে", "পয়সা লাগে", "paid", "paying", "pay for", "pay meta",
                  "taka dite hoy", "taka dite hobe", "taka lage", "taka lagbe",
                  # what a person earns or owns
                  "বেতন", "সম্পদ", "salary", "net worth", "beton",
                  # cheap or dear
                  "চেয়ে সস্তা", "তুলনায় সস্তা", "দামি", "cheap", "cheaper", "expensive", "costly",
                  "sosta", "dami"),
    Asked.RATE: ("প্রতিদিন", "দৈনিক", "প্রতি দিন", "প্রতি মাসে", "প্রতি সপ্তাহে", "per day",
                 "per month", "per week", "daily", "a day", "each day", "every day", "protidin",
                 "roj", "doinik",
                 # a figure for one month or week, of a total the article gives once
                 "মাসিক", "সাপ্তাহিক", "গত মাসে", "এই মাসে", "গত সপ্তাহে", "monthly",
                 "weekly", "last month", "this month", "last week", "mashik", "goto mashe"),
    Asked.NAMES: ("নাম", "নামগুলো", "নামগুলা", "names", "the name", "its name", "their name",
                  "name of", "what name", "nam", "naam", "exactly which",
                  "ঠিক কোন", "thik kon", "which exactly", "which specific",
                  # which of the things that have names: countries, books, authors, laws
                  "কোন কোন দেশ", "কোন দেশগুলো", "কোন কোন ইইউ দেশ", "কোন কোন বই", "কোন কোন ই বুক",
                  "কুন কুন দেশ", "kun kun desh",
                  "কোন কোন লেখক", "কোন আইন", "কোন কোন আইন", "কোন ধারা", "which countries",
                  "which eu countries", "which european countries", "which books", "which authors",
                  "which law", "which laws", "which article", "kon kon desh", "kon kon boi",
                  "কোন ভাষা", "কোন কোন ভাষা", "কোন ভাষায়", "which language", "which languages",
                  "kon bhasha", "kon kon bhasha", "kon vasha",
                  "kon kon lekhok", "kon ain", "kon dhara", "kon article", "কোন আর্টিকেল",
                  "কোন অনুচ্ছেদ", "can you name", "name one", "name some", "name a few",
                  "name any"),
    # Which ones, of anything: "কোন কোন ধরনের ডেটা?", "kon closed source model gulor?"
    Asked.WHICH: ("কোন কোন", "কোনগুলো", "কোনগুলা", "কোনগুলোর", "কোনগুলার", "kon kon",
                  "কুন কুন", "kun kun",  # Sylheti
                  "kongulo", "kongula", "kon gulo", "kon gula", "kon gulor", "which ones",
                  "what are they", "list them",
                  # "what all" asks a list only of tasks ("কী কী কাজ", which the agentic fact
                  # does not name); "কী কী পারবে?", "কী কী সরঞ্জাম?" are told by description
                  "কী কী কাজ", "কি কি কাজ", "ki ki kaj", "what tasks"),
    # Which companies or apps: several named ones ("কোন কোন কোম্পানি লামা চালায়?").
    Asked.LISTED: ("কোন কোন কোম্পানি", "কোন কোন প্রতিষ্ঠান", "কোন কোন সংস্থা", "কোন কোন অ্যাপ",
                   "which companies", "which firms", "which apps", "kon kon company",
                   "kon kon app"),
    Asked.OUTCOME: ("রায়", "নিষ্পত্তি", "জরিমানা", "ক্ষতিপূরণ", "জিতেছে", "জিতল", "জিতবে",
                    "হেরেছে", "হারল", "হারবে", "verdict", "ruling", "settled", "settlement",
                    "damages", "ray", "jitse", "jitlo", "jorimana", "fined", "fine amount",
                    "any fine", "penalty", "penalties", "harse", "harlo", "who won",
                    "who lost", "won the", "lost the", "win the", "lose the",
                    # a test's result: "beat o3-mini on benchmarks", "বেঞ্চমার্কে কত পেল"
                    "benchmark", "benchmarks", "বেঞ্চমার্ক", "বেঞ্চমার্কে", "benchmark e"),
    Asked.SHARE: ("এর মধ্যে কত", "মধ্যে কত", "মধ্যে কতটা", "মধ্যে কতগুলো", "কত অংশ", "কতটুকু অংশ",
                  "how much of", "what share", "what portion", "breakdown", "broken down",
                  "split between", "er moddhe koto", "moddhe koto", "koto ongsho",
                  "টাকার কতটা", "এর কতটা", "ভাগে কত", "takar kotota", "er kotota", "bhage koto"),
    Asked.SPEC: ("প্যারামিটার", "parameter", "parameters", "parameter count", "জিপিইউ", "gpu",
                 "gpus", "ram", "র‍্যাম", "vram", "context window", "context length",
                 "token limit", "হার্ডওয়্যার", "hardware", "অফলাইনে", "offline",
                 # what media or languages it takes: the article names text, pictures, sound
                 "ভিডিও বুঝবে", "ভিডিও বুঝতে", "ভিডিও দেখে", "ভিডিও দেখেও", "handle video",
                 "understand video", "video support", "video bujhbe", "video dekhe",
                 "generate images", "make images", "ছবি বানাতে", "ছবি বানাবে",
                 "বাংলা বুঝবে", "বাংলা বুঝবো", "বাংলা বোঝে", "বাংলা ভাষা বুঝবে", "বাংলা ভয়েস",
                 "বাংলা সাপোর্ট", "সিলেটি", "চাটগাঁইয়া", "bangla bujhbe", "bangla bujhe",
                 "bangla bhasha bujhbe", "bangla support", "understand bengali",
                 "understand bangla", "speak bengali", "speak bangla", "support bengali",
                 "support bangla"),
    Asked.DURATION: ("কত দিন", "কতদিন", "কয় দিন", "কয়দিন", "কত ঘণ্টা", "কত সময়", "কত মাস",
                     "কয় মাস", "how long", "how many days", "how many months", "koto din",
                     "kotodin", "koy din", "koydin", "koto mash", "koy mash"),
}
_MONTHS = ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট",
           "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর", "january", "february", "march",
           "april", "may", "june", "july", "august", "september", "october", "november",
           "december")
_GIVING = {
    Asked.WHEN: (*_MONTHS, "সালে", "সাল", "মাসে", "বছর", "বছরে", "আগামী", "শিগগির", "year",
                 "month"),
    Asked.MONTH: _MONTHS,
    Asked.UPCOMING: ("আগামী", "এ বছর", "থাকবে", "পারবে", "উঠবে", "হবে", "নির্ধারিত", "আসন্ন",
                     "শিগগির", "upcoming", "coming"),
    Asked.PERCENT: ("শতাংশ", "শতকরা", "percent", "percentage"),
    Asked.VERSION: ("সংস্করণ", "ভার্সন", "version"),
    Asked.CITY: ("শহর", "শহরে", "city"),
    Asked.HOUR: ("টায়", "ঘটিকায়", "a.m.", "p.m.", "am", "pm", "o'clock"),
    Asked.PAST: ("গত বছর", "আগের বছর", "last year", "previous year"),
    Asked.MONEY: ("ডলার", "টাকা", "dollar", "dollars", "বিনামূল্যে", "ফ্রি", "free", "উন্মুক্ত"),
    Asked.RATE: ("প্রতিদিন", "দৈনিক", "মাসিক", "প্রতি মাসে", "প্রতি বছর", "daily", "monthly",
                 "per day", "per month", "a day", "a month"),
    Asked.DURATION: ("দিনব্যাপী", "দিন ধরে", "ঘণ্টা", "সপ্তাহব্যাপী", "days", "hours", "weeks"),
    Asked.OUTCOME: ("রায়", "নিষ্পত্তি", "জিতেছে", "হেরেছে", "verdict", "ruling", "settled"),
    # ...or the occasion something was said at ("আয়ের কলে": where did he say it?).
    Asked.WHERE: ("দেশ", "শহর", "অঞ্চল", "আদালত", "court", "কলে", "call", "আঞ্চলিক",
                  "প্ল্যাটফর্ম", "অ্যাপ", "ইউরোপ", "ইইউ", "চীন", "চীনা", "country", "countries",
                  "city", "region", "platform", "europe"),
    # ("লক্ষ" is left out: it begins "লক্ষ্য", a goal)
    Asked.AMOUNT: ("বিলিয়ন", "মিলিয়ন", "কোটি", "লাখ", "হাজার", "শত",
                   "শতাংশ", "billion", "million", "thousand", "hundred", "percent"),
}
_WHO = frozenset({"who", "whom", "কারা", "kara", "কাকে", "কাহাকে", "কাদেরকে"})
# "mamla ta ke korse": after a classifier, romanized "ke" is "who".
_CLASSIFIERS = frozenset({"ta", "ti", "gula", "gulo", "guli"})


def _names_before(words: tuple[str, ...], i: int) -> bool:
    """Whether কে at `i` is the case ending of a name typed apart: "Llama-কে beat করেছে",
    "llama ke harai dise" (Llama, not who)."""
    before = words[i - 1]
    return before.isascii() and (words[i] == "কে" or before not in _CLASSIFIERS)
_KE = frozenset({"কে", "ke"})
_RECENT = 64  # questions whose kinds `Asks.asked` remembers
_USE = frozenset({"use", "uses", "using", "used"})
# A number standing alone ("২০২৩", "৮০"), not part of a name ("R1", "o3", "Q4").
_NUMBER = re.compile(r"(?<![a-z0-9])\d+(?![a-z0-9])")
# A year ("২০২৩") tells when; a count ("১০০ কোটি") does not.
_YEAR = re.compile(r"(?<![a-z0-9])(?:19|20)\d\d(?![a-z0-9])")
# Three or more things in a row: "X, Y ও Z", "X, Y and Z": after a comma, an item of a word
# or two, then a joining word.
_LIST = re.compile(r",\s\S+(?:\s\S+)?\s(?:ও|আর|এবং|and)\s")
_DAY = re.compile(r"(?:0?[1-9]|[12]\d|3[01])")
# A model's name with its number: "R1", "o3-mini", "llama 3".
_MODEL = re.compile(r"(?<![a-z0-9])[a-z]+-?\d+(?:\.\d+)?(?![0-9])")


class Asks:
    """Phrases that ask for, and that give, a time or an amount; build once per knowledge."""

    def __init__(self, rewrite: Rewrite | None = None) -> None:
        """`rewrite`: the synonym groups the questions' keys are made with ("ager bochor" is
        keyed "ager বছর"); a phrase is looked for both as written and as rewritten."""
        def asking(words: Iterable[str]) -> tuple[tuple[str, ...], ...]:
            return _phrases(words, rewrite)

        self._asking = {kind: asking(words) for kind, words in _ASKING.items()}
        self._exactly_which = asking(("ঠিক কোন", "thik kon", "exactly which", "which exactly"))
        # Not a problem: "গোপনীয়তার সমস্যাটা কোথায়?" may ask where it arose.
        self._points_made = asking(("সুবিধা", "সুবিধাটা", "সুবিধাগুলো", "পার্থক্য", "পার্থক্যটা",
                                    "তফাত", "তফাৎ", "লাভ", "লাভটা", "বিশেষত্ব", "advantage",
                                    "advantages", "benefit", "benefits", "difference", "point"))
        self._giving = {kind: _phrases(words) for kind, words in _GIVING.items()}
        self._dated = tuple(p for kind in (Asked.WHEN, Asked.MONTH, Asked.DAY)
                            for p in self._asking[kind] if len(p) > 1)
        self._months = tuple(p[0] for p in _phrases(_MONTHS) if len(p) == 1)
        self._people = _phrases(("ডেভেলপার", "কোম্পানি", "প্রতিষ্ঠান", "লেখক", "গবেষক",
                                 "ব্যবহারকারী", "developers", "companies", "authors"))
        self._exact = asking(("ঠিক কী", "ঠিক কি", "ঠিক কোন", "ঠিক কোথায়", "ঠিক কারা", "ঠিক কে",
                                "নির্দিষ্ট করে", "exactly", "exact", "specifically", "precisely",
                                "thik ki", "thik kon", "thik kothay", "thik kara"))
        # What a word means, what someone thinks, or what a thing is about, which the fact
        # that uses the word, tells the view or the thing tells: "মাল্টিমোডাল বলতে ঠিক কী
        # বোঝানো হচ্ছে?", "what exactly is meant by agentic?", "open source niye onar view ta
        # thik ki?"
        # ("বলতে" alone is also "to tell": "বলতে পারবে?")
        self._meaning = asking(("বোঝানো", "বোঝায়", "বুঝায়", "বোঝাচ্ছে", "বোঝাচ্ছেন", "অর্থ",
                                "mean", "means", "meant", "meaning", "bojhay", "bujhay",
                                "bojhano", "bujhano", "view", "views", "opinion", "মত",
                                "মতামত", "অবস্থান", "motamot", "obosthan",
                                # what it is about: "ওদের concern টা ঠিক কী নিয়ে?"
                                "কী নিয়ে", "কি নিয়ে", "ki niye", "about what",
                                # what happened: "ইউরোপে ঠিক কী হয়েছিল?" is the event told
                                "কী হয়েছিল", "কী হয়েছে", "কী হলো", "কী হইছে", "কী হইসে",
                                "ki hoyechilo", "ki hoyeche", "ki holo", "ki hoise",
                                "ki hoilo", "happened"))
        # "where is Llama headed?", "where does the suit stand?": its course, not a place
        # "how many days left", "কত দিন বাকি": the time until a date, not how long it lasts
        self._until = asking(("বাকি", "বাকী", "baki", "left", "until", "till", "remaining",
                              "away", "countdown"))
        self._heading = asking(("headed", "heading", "going", "jacche", "যাচ্ছে", "stand",
                                "stands", "standing"))
        self._future = asking(("হবে", "আসবে", "ছাড়বে", "করবে", "পাবে", "hobe", "ashbe", "asbe",
                               "korbe", "will", "going to", "gonna"))
        # What something is used for, by whom: "স্পটিফাই লামা দিয়ে কী কাজ করে?"
        self._purpose = asking(("কী কাজে", "কোন কাজে", "কী কাজ করে", "কী কাজ করায়", "দিয়ে কী করে",
                                  "দিয়া কী করে", "দিয়ে কী কাজ", "দিয়া কী কাজ", "use case",
                                  "use cases", "use it for", "uses it for", "using it for",
                                  "does with", "do with", "diye ki kore", "diye ki kaj",
                                  "ki kaje", "ki kaj e", "ki kaj kore", "kon kaj e",
                                  "kon kaje", "what for",
                                  # what in it they use it for: "কোন সার্ভিসে লাগিয়েছে?"
                                  "কোন সার্ভিসে", "কোন বিভাগে", "কোন খাতে", "কোন প্রোডাক্টে",
                                  "which service", "which services", "which department",
                                  "which product", "which products", "kon service e",
                                  "kon bibhage"))
        self._relation = asking(("to do with",))
        self._particular = asking(("কীভাবে", "কিভাবে", "কেমনে", "কোন", "কোনটা", "কোনগুলো",
                                     "how to", "how do", "how can", "which", "kivabe", "kibhabe",
                                     "kemne", "kon", "konta"))
        self._alone = {
            Asked.WHERE: asking(("কোথায়", "কই", "where", "kothay", "koi", "কোথাকার",
                                   "kothakar")),
            Asked.WHO: asking(("কে", "কারা", "কাদের", "কার", "who", "whom", "whose", "ke",
                                 "kara", "kader", "kar", "কাহার", "কাহারা", "কাহাদের")),
            Asked.NAMES: asking(("নাম", "নামগুলো", "names", "nam", "namgulo", "called", "name")),
            Asked.MONTH: asking(("মাস", "মাসে", "month", "mash", "mashe", "mas")),
        }
        # Phrases by their first word: a question is read word by word, not phrase by phrase
        # (hundreds of phrases, a handful of words).
        self._asking_at = _by_first_word(self._asking)
        self._alone_at = _by_first_word(self._alone)
        # What the last few questions asked: one message is read by several steps.
        self._recent: dict[tuple[tuple[str, ...], bool], frozenset[Asked]] = {}

    def names_people(self, text: str) -> bool:
        """Whether an answer says who in words ("কিছু ডেভেলপার ও কোম্পানি") if not by name."""
        words = make_key(text).surface
        return _holds(words, self._people) or _begins(words, self._people)

    def exact(self, key: Key) -> bool:
        """Whether `key`'s question insists on the particular ("ঠিক কী", "what exactly"),
        not on what a word means or someone thinks."""
        return _holds(key.surface, self._exact) and not _holds(key.surface, self._meaning)

    def purpose(self, key: Key) -> bool:
        """Whether `key`'s question asks what something is used for ("what has R1 got to do
        with Llama?" asks how they relate)."""
        words = key.surface
        # "what does Spotify use X for?": a use and its "for", one or two words apart
        used_for = "what" in words and any(
            w in _USE and "for" in words[i + 2 : i + 4] for i, w in enumerate(words))
        return ((used_for or _holds(words, self._purpose))
                and not _holds(words, self._relation))

    def _where_of_a_point(self, words: tuple[str, ...]) -> bool:
        """Whether "where" asks of a point made, not a place: "সুবিধাটা কোথায়?", "where's
        the benefit?" (what the advantage, the difference is)."""
        return _holds(words, self._points_made)

    def asks_a_detail(self, key: Key) -> bool:
        """Whether `key`'s question asks for something particular: one of the kinds above,
        or how, which ("লামাকনের টিকিট কীভাবে কিনব?"), not just what or why."""
        return bool(self.asked(key, bare=True)) or _holds(key.surface, self._particular)

    def asked(self, key: Key, *, bare: bool = False) -> frozenset[Asked]:
        """What `key`'s question asks for; `bare`: a follow-up of question words alone, where
        "কোথায়?" by itself asks for a place, "কারা?" for who, "নাম?" for names."""
        remembered = self._recent.get((key.surface, bare))
        if remembered is not None:
            return remembered
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        if bare:
            answer = self.asked(key) | _kinds_in(key.surface, self._alone_at)
            if Asked.WHERE in answer and self._where_of_a_point(key.surface):
                answer -= {Asked.WHERE}  # "সুবিধাটা কোথায়?": what the advantage is
            if not answer & _TIMES and _which_one(key.surface):
                # "কোন বই?", "kon desh?" after the lawsuit or Europe's delay: which one by
                # name, which an answer saying "some e-books", "several countries" does not tell.
                answer |= {Asked.NAMES}
        else:
            answer = self._asked(key)
        self._recent[(key.surface, bare)] = answer
        return answer

    def _asked(self, key: Key) -> frozenset[Asked]:
        found = _kinds_in(key.surface, self._asking_at)
        if self._asks_who(key.surface):
            found.add(Asked.WHO)
        if Asked.AMOUNT in found and found & {Asked.WHEN, Asked.MONTH, Asked.DAY}:
            # "কত সালে", "koto tarikh": the "how many" of a date asks when, not an amount.
            dated = _holds(key.surface, self._dated)
            if dated and not _holds(_without(key.surface, self._dated), self._asking[Asked.AMOUNT]):
                found.discard(Asked.AMOUNT)
        if Asked.WHEN in found and _when_is_a_conjunction(key.cleaned) and not _holds(
                tuple(w for w in key.surface if w != "when"), self._asking[Asked.WHEN]):
            found.discard(Asked.WHEN)  # "...considerations when building AI?" asks no time
        if Asked.DURATION in found and _holds(key.surface, self._until):
            # "লামাকনের আর কত দিন বাকি?" asks when it is: a date tells the days left.
            found -= {Asked.DURATION, Asked.AMOUNT}
            found |= {Asked.WHEN, Asked.UPCOMING}
        if Asked.AMOUNT in found and _asks_a_degree(key.cleaned.split()):
            # "koto important?", "কত জরুরি?": how much so, not a number
            found.discard(Asked.AMOUNT)
        if Asked.AMOUNT in found and _asks_kinds(key.cleaned.split()):
            # "কত রকম কাজে?", "in how many ways?": which kinds, which a list tells
            found.discard(Asked.AMOUNT)
            found.add(Asked.WHICH)
        if Asked.MONTH in found and _names_the_year(key.cleaned):
            # "ঠিক কোন বছরে?" is keyed "ঠিক কবে" (exactly when), but asks the year it names.
            found.discard(Asked.MONTH)
        if Asked.AMOUNT in found and not _AMONG.isdisjoint(key.surface):
            found.add(Asked.SHARE)  # "oi 80 billion er moddhe shudhu Llama er jonno koto?"
        if Asked.WHEN in found and self.exact(key) and any(w in _DATE_WORDS for w in key.surface):
            found.add(Asked.DAY)  # "the exact release date": a year does not tell it
        if Asked.WHEN in found and _holds(key.surface, self._future):
            found.add(Asked.UPCOMING)  # "কবে রিলিজ হবে?": not the year Llama first came out
        if Asked.MONEY in found and _earnings_occasion(key.surface) and not _holds(
                _without(key.surface, ((_EARNINGS,),)), self._asking[Asked.MONEY]):
            found.discard(Asked.MONEY)  # "আয়ের কলে কী বললেন?": the earnings call, no sum
        if Asked.WHICH in found and _what_are_they_of(key.cleaned.split()) and not _holds(
                _without(key.surface, (_WHAT_ARE_THEY,)), self._asking[Asked.WHICH]):
            found.discard(Asked.WHICH)  # "what are they accused of?" asks no list
        if Asked.NAMES in found and _exactly_what_kind(key.cleaned.split()) and not _holds(
                _without(key.surface, self._exactly_which), self._asking[Asked.NAMES]):
            # "ঠিক কোন ধরনের লাইসেন্সে?" (exactly what kind of license): a kind, which a
            # description tells, not a name
            found.discard(Asked.NAMES)
        if _which_of_several(key.cleaned.split()):
            found.add(Asked.WHICH)  # "which closed models?", "কোন বইগুলো?"
        if Asked.WHERE in found and self._where_of_a_point(key.surface):
            found.discard(Asked.WHERE)  # "where's the benefit?" asks what it is
        if Asked.WHERE in found and (_holds(key.surface, self._heading) or _holds(
                tuple(key.cleaned.split()), self._heading)):  # as written: a synonym hides it
            found.discard(Asked.WHERE)  # "where is Llama headed?" asks about its future
        return frozenset(found)

    @staticmethod
    def _asks_who(words: tuple[str, ...]) -> bool:
        """"who filed it?", "মামলাটা কে করেছে?", "ke mamla korse?": who, in any words. কে is
        also a case ending typed apart ("লামা কে ট্রেনিং দেওয়া"): it asks who only first, last,
        or just before a verb ("কে দায়ের করেছে")."""
        if any(w in _WHO for w in words):
            return True
        return any(w in _KE and (i == 0 or not _names_before(words, i)) and (
                   i == 0 or i == len(words) - 1
                   or any(v.endswith(VERB_ENDINGS) for v in words[i + 1:i + 3]))
                   for i, w in enumerate(words))

    def given(self, text: str) -> frozenset[Asked]:
        """What an answer text gives: a date or time (a year, a month), an amount (a number;
        a price, a rate, a duration), a place."""
        words = make_key(text).surface
        found = {k for k, phrases in self._giving.items()
                 if _holds(words, phrases) or _begins(words, phrases)}
        cleaned = clean(text)
        # A year ("২০২৩ সালে") tells when, not how many.
        if any(not _YEAR.fullmatch(n) for n in _NUMBER.findall(cleaned)):
            found.add(Asked.AMOUNT)
        if _YEAR.search(cleaned):
            found.add(Asked.WHEN)
        if self._dates_a_day(words):
            found.add(Asked.DAY)
        if _MODEL.search(cleaned):
            found.add(Asked.VERSION)  # "R1", "o3-mini", "Llama 3"
        if _LIST.search(text):
            found.add(Asked.WHICH)  # "টেক্সট, ছবি ও অডিও"
        return frozenset(found)

    def _dates_a_day(self, words: tuple[str, ...]) -> bool:
        """A day of a month: "২৯ এপ্রিল", "April 29"."""
        return any(w.startswith(self._months) and any(
            _DAY.fullmatch(n) for n in words[max(i - 1, 0):i + 2] if n is not w)
            for i, w in enumerate(words))


def _begins(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> bool:
    """A word that begins with a one-word phrase of three letters or more: কোটিবার, বিলিয়নের."""
    starts = tuple(p[0] for p in phrases if len(p) == 1 and len(p[0]) >= 3)
    return any(w.startswith(starts) for w in words)


def _phrases(words: Iterable[str], rewrite: Rewrite | None = None
             ) -> tuple[tuple[str, ...], ...]:
    found = [tuple(make_key(w).surface) for w in words]
    if rewrite is not None:
        # Phrases of several words only: one word rewritten by its stem may become another
        # ("lawyer" meets "law" and with it the law group's আইন).
        found += [tuple(make_key(w, rewrite).surface) for w in words if " " in w.strip()]
    return tuple(dict.fromkeys(found))


def _occurrences(surface: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]
                 ) -> Iterator[tuple[int, int]]:
    """Where `phrases` stand in `surface` (start, length), as `_at` reads them."""
    words = set(surface)
    for phrase in phrases:
        if phrase[0] not in words:
            continue
        for i in range(len(surface) - len(phrase) + 1):
            if _at(surface, i, phrase):
                yield i, len(phrase)


def _by_first_word(groups: dict[Asked, tuple[tuple[str, ...], ...]]
                   ) -> dict[str, tuple[tuple[Asked, tuple[str, ...]], ...]]:
    index: dict[str, list[tuple[Asked, tuple[str, ...]]]] = {}
    for kind, phrases in groups.items():
        for phrase in phrases:
            index.setdefault(phrase[0], []).append((kind, phrase))
    return {word: tuple(entries) for word, entries in index.items()}


_YEAR_WORDS = ("বছর", "সাল", "year", "bochor", "bochhor", "bosor")
_YEAR_ROMANIZED = frozenset({"sal", "sale", "saal", "saale", "shal", "shale"})
_MONTH_WORDS = ("মাস", "month", "mash", "mase")
_DATE_WORDS = frozenset(make_key(w).surface[0] for w in ("date", "তারিখ", "তারিখটা", "tarikh"))
_AMONG = frozenset(make_key(w).surface[0] for w in ("মধ্যে", "moddhe", "modhye", "মইধ্যে"))


_HOW_MUCH = frozenset({"কত", "কতো", "koto", "kato", "kto"})
_SO_MUCH = frozenset({"টা", "ta", "খানি", "khani"})
# How much so: "koto important", "কত জরুরি", "koto ta strict" ask a degree, not a number.
# (Not "big" or "good": "R1 কত বড় মডেল?", "koto % bhalo?" ask a size, a share.)
_DEGREES = ("important", "গুরুত্বপূর্ণ", "জরুরি", "জরুরী", "jaruri", "joruri", "dorkari",
            "দরকারি", "popular", "জনপ্রিয়", "jonopriyo", "strict", "কড়া", "safe", "নিরাপদ",
            "useful", "কার্যকর", "effective", "serious", "গুরুতর")


# Kinds and ways: "কত রকম", "কত ধরনের", "koto rokomer", "how many kinds", "in how many ways".
_KINDS = ("রকম", "ধরন", "প্রকার", "ভাবে", "rokom", "dhoron", "prokar", "bhabe", "kind", "type",
          "way", "sort")


def _asks_a_degree(words: list[str]) -> bool:
    """Whether "how much" in `words` (cleaned) asks how much so: an adjective after it."""
    for i, word in enumerate(words):
        if word in _HOW_MUCH:
            rest = [w for w in words[i + 1 : i + 3] if w not in _SO_MUCH]
            if rest and rest[0].startswith(_DEGREES):
                return True
    return False


_EXACTLY = frozenset({"ঠিক", "thik", "exactly"})


def _exactly_what_kind(words: list[str]) -> bool:
    """Whether `words` (cleaned) ask "exactly which kind": "ঠিক কোন ধরনের", "exactly which
    type"."""
    return any(w in _EXACTLY and words[i + 1 : i + 2] and words[i + 1] in _WHICH_WORDS
               and (after := words[i + 2 : i + 3]) and after[0].startswith(_KINDS)
               for i, w in enumerate(words))


def _asks_kinds(words: list[str]) -> bool:
    """Whether "how many" in `words` (cleaned) asks how many kinds or ways: a word of
    kinds right after it ("কত রকম", "koto dhoroner", "how many ways")."""
    for i, word in enumerate(words):
        after = words[i + 1 : i + 2]
        if word in _HOW_MUCH and after and after[0].startswith(_KINDS):
            return True
        if word == "how" and words[i + 1 : i + 2] == ["many"] and (
                rest := words[i + 2 : i + 3]) and rest[0].startswith(_KINDS):
            return True
    return False


def _names_the_year(cleaned: str) -> bool:
    """Whether a question, as written, names the year and not the month ("কোন বছরে")."""
    words = cleaned.split()
    return (any(w.startswith(_YEAR_WORDS) or w in _YEAR_ROMANIZED for w in words)
            and not any(w.startswith(_MONTH_WORDS) for w in words))


def _kinds_in(surface: tuple[str, ...],
              index: dict[str, tuple[tuple[Asked, tuple[str, ...]], ...]]) -> set[Asked]:
    """The kinds whose phrases `surface` holds (as `_occurrences` finds them)."""
    found: set[Asked] = set()
    for i, word in enumerate(surface):
        for kind, phrase in index.get(word, ()):
            if kind not in found and _at(surface, i, phrase):
                found.add(kind)
    return found


def _at(surface: tuple[str, ...], i: int, phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` stands at `i`: the last word of a phrase of several may take a case
    ending ("কোন বছরে", "কোন সালের" hold "কোন বছর", "কোন সাল"), not be a longer word ("কোন
    আইনি বিরোধ", which legal dispute, holds no "কোন আইন")."""
    n = len(phrase)
    window = surface[i : i + n]
    if len(window) < n:
        return False
    *head, last = phrase
    return window == phrase or (n > 1 and len(last) >= 3 and list(window[:-1]) == head
                                and window[-1].startswith(last)
                                and last in stems(window[-1]))


_EARNINGS = make_key("আয়").surface[0]
_OCCASIONS = tuple(make_key(w).surface[0] for w in ("কল", "সভা", "বিবরণী", "ঘোষণা", "আলোচনা",
                                                     "মিটিং", "সম্মেলন", "কনফারেন্স", "call",
                                                     "meeting", "conference"))
# "আয়-সংক্রান্ত সভায়": words between the earnings and their occasion.
_ABOUT = frozenset(make_key(w).surface[0] for w in ("সংক্রান্ত", "বিষয়ক", "সম্পর্কিত"))


def _earnings_occasion(words: tuple[str, ...]) -> bool:
    """Whether every "আয়" (earnings) names an occasion: "আয়ের কলে", "আয়-বিবরণী সভায়",
    "আয়-সংক্রান্ত আলোচনায়"."""
    def occasion_after(i: int) -> bool:
        following = list(words[i + 1:i + 3])
        if following and following[0] in _ABOUT:
            following = following[1:]
        return bool(following) and following[0].startswith(_OCCASIONS)

    return all(occasion_after(i) for i, w in enumerate(words)
               if w == _EARNINGS or _EARNINGS in stems(w))


_PLURAL_ENDINGS = ("গুলো", "গুলা", "গুলি", "গুলোর", "গুলার", "গুলোতে", "gulo", "gula", "gulor")
_NOT_PLURAL = frozenset({"is", "was", "has", "does", "this", "its", "us", "yes", "as", "plus",
                         "news", "series", "analysis", "always", "perhaps"})


_WHICH_WORDS = frozenset({"কোন", "কুন", "kon", "kun", "which"})
_TIMES = frozenset({Asked.WHEN, Asked.MONTH, Asked.DAY, Asked.HOUR, Asked.AMOUNT})


def _which_one(words: tuple[str, ...]) -> bool:
    """A message that is "which" and one word ("kon boi?", "which clause?")."""
    return len(words) == 2 and words[0] in _WHICH_WORDS


def _which_of_several(words: list[str]) -> bool:
    """"which closed source models", "কোন বইগুলো", "kon closed source model gulor": which of
    a plural, as written (up to three words after "which", four after "কোন")."""
    for i, w in enumerate(words):
        if w == "which" and any(len(a) > 3 and a.endswith("s") and a not in _NOT_PLURAL
                                for a in words[i + 1:i + 4]):
            return True
        if w in ("কোন", "kon") and any(a.endswith(_PLURAL_ENDINGS) for a in words[i + 1:i + 5]):
            return True
    return False


_WHAT_ARE_THEY = ("what", "are", "they")


def _what_are_they_of(words: list[str]) -> bool:
    """Whether "what are they" goes on with words of its own ("what are they accused of",
    "what are they used for"): then it asks what something is, not which ones."""
    n = len(_WHAT_ARE_THEY)
    return any(tuple(words[i:i + n]) == _WHAT_ARE_THEY and i + n < len(words)
               for i in range(len(words)))


_OPENERS = frozenset({"why", "how", "what", "which", "who", "whom", "where", "is", "are",
                      "was", "were", "do", "does", "did", "can", "could", "will", "would",
                      "should", "has", "have"})
_CLAUSE_JOINS = frozenset({"and", "also", "or", "plus"})
# "did Meta say when it would ship?": a "when" told or known asks the time, whatever precedes.
_TELLING = frozenset({"say", "said", "says", "tell", "told", "me", "know", "knows", "ask",
                      "asked", "announce", "announced", "mention", "mentioned", "reveal",
                      "revealed", "explain", "confirm", "confirmed", "share", "shared"})


def _when_is_a_conjunction(cleaned: str) -> bool:
    """Whether every English "when" joins a clause ("when building it", "when it comes to",
    "why pick open models when closed ones exist?") rather than asks one. Read as written: a
    synonym group may have replaced "building"."""
    words = cleaned.split()
    asked_before = [False] * len(words)  # another question opened this clause before it
    opened = False
    for i, w in enumerate(words):
        asked_before[i] = opened
        if w in _CLAUSE_JOINS and words[i + 1:i + 2] and (
                words[i + 1] in _OPENERS or words[i + 1] == "when"):
            opened = False  # "..., and when did it launch?" (not "companies and devs")
        elif w in _OPENERS:
            opened = True
    return all(i + 1 < len(words) and (words[i + 1].endswith("ing")
                                       or words[i + 1:i + 3] == ["it", "comes"])
               or asked_before[i] and not (i and words[i - 1] in _TELLING)
               for i, w in enumerate(words) if w == "when")


def _holds(surface: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `surface` holds one of `phrases` (see `_occurrences`)."""
    return next(_occurrences(surface, phrases), None) is not None


def _without(surface: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """`surface` with the words of every occurrence of `phrases` left out."""
    taken = {j for i, n in _occurrences(surface, phrases) for j in range(i, i + n)}
    return tuple(w for i, w in enumerate(surface) if i not in taken)
