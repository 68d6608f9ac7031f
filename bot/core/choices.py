"""What a reply to offered choices picks: a number or an ordinal ("২", "তৃতীয়টা", "2nd"),
one said with a nod and words of picking ("হ্যাঁ, প্রথমটা", "option 2 please", "দুই লম্বরগান"),
one by its place ("মাঝেরটা", "the last one"), or none of them ("none of the above", "না,
এগুলো না"). Pure text work: the conversation decides what is on offer.
"""

from __future__ import annotations

import re

from bot.core.normalize import clean, phrases

# The last of the choices on offer, however many there are.
LAST = phrases("শেষেরটা|শেষেরটি|শেষেরটাই|শেষটা|শেষটি|শেষেরটা দিন|শেষের প্রশ্ন|শেষ প্রশ্ন|শেষের টা|"
               "শেষ টা|last|last one|the last one|the last|last question|shesher ta|"
               "shesherta|sheshta|shesh ta|sesher ta|seshta|sesh ta")
# A typed number this long is a choice (`/topics` offers dozens); a longer one is a year or a
# figure, asked as a question.
MAX_CHOICE_DIGITS = 3
# Words at most around a choice in words ("হ্যাঁ ভাই, ১ নম্বরটাই ঠিক আছে").
MAX_CHOICE_WORDS = 7

_ORDINALS = (
    phrases("1|১|এক|একটা|প্রথম|প্রথমটা|প্রথমটি|প্রথমটাই|প্রথম প্রশ্ন|first|first one|1st|prothom|"
            "prothomta|ek|পয়লা|পইলা|পইল্যা|প্রতম|প্রথোম|poyla|poila|poilla|frist|firts|frst"),
    phrases("2|২|দুই|দুইটা|দ্বিতীয়|দ্বিতীয়টা|দ্বিতীয়টি|দ্বিতীয় প্রশ্ন|second|second one|2nd|ditiyo|"
            "ditiyota|dui|দু|doi|ditio|dusra|secnd|two|সেকেন্ড"),
    phrases("3|৩|তিন|তিনটা|তৃতীয়|তৃতীয়টা|তৃতীয়টি|তৃতীয় প্রশ্ন|third|third one|3rd|tritiyo|"
            "tritiyota|tin|teen|teesra|trtio|thrid|three|থার্ড"),
)
# Positions past the three a fact or a "did you mean" offers: never one of their choices, but a
# number all the same ("চতুর্থটা" is told which numbers there are, not asked as a question);
# the console numbers longer lists (`/topics`).
_FURTHER_ORDINALS = (
    phrases("চার|চারটা|চতুর্থ|চতুর্থটা|চতুর্থটি|four|fourth|4th|char|choturtho"),
    phrases("পাঁচ|পাঁচটা|পঞ্চম|পঞ্চমটা|পঞ্চমটি|five|fifth|5th|pach|ponchom"),
    phrases("ছয়|ছয়টা|ষষ্ঠ|ষষ্ঠটা|six|sixth|6th"),
    phrases("সাত|সাতটা|সপ্তম|সপ্তমটা|seven|seventh|7th"),
    phrases("আট|আটটা|অষ্টম|অষ্টমটা|eight|eighth|8th"),
    phrases("নবম|নবমটা|nine|ninth|9th"),  # "নয়" also says "not"
    phrases("দশ|দশটা|দশম|দশমটা|ten|tenth|10th"),
)
# Words said around a choice ("হ্যাঁ, প্রথমটা", "yes the first one", "1 no ta", "haa oitai"):
# a nod, a pointer at the one meant, and the words of picking.
_NODS = phrases("হ্যাঁ|হ্যা|হা|হ|হয়|অয়|হুম|জি|জ্বি|জী|yes|yeah|yep|yup|ya|ye|ha|haa|hae|hmm|hum|ji|"
                "oy|hoi|ho|sure")
_THAT_ONE = phrases("ওইটাই|ওইটা|ওইডাই|হেইডাই|সেটাই|সেটা|এটাই|ওটাই|oitai|oita|sheta|setai|etai|"
                    "that|thats|it|this|one")
_PICKING = phrases("the|a|option|options|অপশন|অপশনটা|বিকল্প|বিকল্পটি|বিকল্পটা|number|nmbr|no|নং|"
                   "নম্বর|নাম্বার|nombor|nombar|please|plz|pls|ঠিক|আছে|সঠিক|right|correct|is|দাও|"
                   "দিন|বলো|dao|bolo|e|আমি|বোঝাতে|চেয়েছি|বলছিলাম|কথাই|কথা|i|meant|mean|ta|tai|ti|"
                   "টা|টাই|টি|ache|thik|ভাই|bhai|সবার|s|লম্বর|lombor|nong|wala|ওয়ালা|গান|gan|ga|"
                   "চাই|নির্বাচন|করছি|দেন|তো|গো|দেইন|দন|হবে|প্লিজ|thanks|thank|you|একদম|den|hoy|"
                   "ones")
# The top of the list is its first ("উপরেরটা", "the top one"); its middle, of three, the second.
_TOP = phrases("উপরেরটা|উপরের|uporer|uporerta|top")
_MIDDLE = phrases("মাঝের|মাঝেরটা|মাঝখানের|মাঝখানেরটা|মাঝর|মাইঝের|মাঝখানর|মিডলের|মিডল|majher|"
                  "majhkhaner|maijher|middle")
_BOTTOM = phrases("শেষের|শেষেরটা|শেষর|শেষ|হেষর|হেষের|হেষেরগা|sesher|shesher|hesher|last|লাস্ট|"
                  "লাস্টের|লাস্টেরটা")
# Saying no choice is right: "কোনোটাই মেলেনি", "none of the above", "না, অন্য কিছু".
NONE_OF_THEM = phrases("কোনোটাই|কোনটাই|কোনোটা|কোনোটিই|কোনোডাই|কুনুটাই|কনোটাই|কোনটায়|একটাও|konotai|"
                       "kunutai|kunotai|ektao|none|non|noen|neither|কোনোগানও|কোনোগাই|konogan|"
                       "অপশনই")
REFUSING = phrases("না|নাহ|নয়|নায়|ন|no|nope|nah|na|naa|not|noy|ভুল|wrong|অন্য|onno|নেই|nai|nei|"
                   "nothing|অন্যকিছু|onnokichu|different|nun|nahi|n|কিছুই|kichui|কুনু")
OF_THESE = phrases("এগুলো|এগুলা|এগুলোর|এর|ইতা|হেইডা|এটা|eta|egula|egular|ita|these|them|this|"
                   "above|it|of|the|মধ্যে|moddhe|নেই|nai|ta|tai|kono|কিছু|kichu|জিনিস|খুঁজছিলাম|"
                   "match|মিলছে|মেলেনি|মিলেনি|সঠিক|right|is|ভাই|bhai|any|নয়|one|ইবা|iba|চাই|chai|"
                   "খুঁজছি|দাও|dao|আমি|বোঝাতে|চেয়েছি|meant|i|what|ওগুলো|এইগুলার|এইগুলা|eigula|"
                   "ইগুইন|এগুন|egun|হিয়ান|এগিন|হেগুন|গো|go|option|options|অপশন|অপশনই|its|here|"
                   "listed|those|ones|pls|please|sorry|thanks|ও|o|kore|inme|se|koi|কোনোগানও|"
                   "কোনোগাই|konogan|ekta|একটা|কোনো|কোনটাই|something|else|other")


def chosen(words: str, offered: int) -> int | None:
    """The position a few words choose with more than a number ("হ্যাঁ, প্রথমটা", "yes the
    first one", "1 no ta"): one position and otherwise only nods and words of picking; a nod
    alone, or with "that one", is the first."""
    tokens = words.split()
    if not 0 < len(tokens) <= MAX_CHOICE_WORDS:
        return None
    positions, rest, nodded = set(), [], False
    for token in tokens:
        forms = (token, _without_article_suffix(token))
        position = typed_number(forms[0]) or typed_number(forms[1])
        if position is not None:
            positions.add(position)
        elif any(f in _TOP for f in forms):
            positions.add(1)
        elif offered == 3 and any(f in _MIDDLE for f in forms):
            positions.add(2)
        elif any(f in _BOTTOM for f in forms):
            positions.add(offered)
        elif token in _NODS or token in _THAT_ONE:
            nodded = True
        elif not any(f in _PICKING for f in forms):
            rest.append(token)
    if rest or len(positions) > 1:
        return None
    return positions.pop() if positions else (1 if nodded else None)


def refuses_all(words: str) -> bool:
    """Whether a few words turn down every choice ("না, এগুলো না", "none of the above",
    "কোনোটাই মেলেনি", "na bhai onno kichu")."""
    tokens = words.split()
    return (0 < len(tokens) <= MAX_CHOICE_WORDS
            and any(t in NONE_OF_THEM or t in REFUSING for t in tokens)
            and all(t in NONE_OF_THEM or t in REFUSING or t in OF_THESE for t in tokens))


def _without_article_suffix(token: str) -> str:
    """"প্রথমটা", "poylata", "1st ta" → the ordinal without the article it carries."""
    for suffix in ("টাই", "টিই", "টির", "টা", "টি", "ডাই", "ডা", "গান", "গা", "tai", "ta", "গো"):
        if token.endswith(suffix) and len(token) > len(suffix):
            return token[: -len(suffix)]
    return token


# "২ নম্বর", "নম্বর ২", "২য়টা", "2nd one", "no. 2": a number said with its word.
_NUMBER_WORD = r"(?:নম্বর|নাম্বার|নং|number|no|nombor|nombar)"
_NUMBERED = re.compile(
    rf"(?:{_NUMBER_WORD}\s*)?(\d{{1,{MAX_CHOICE_DIGITS}}})"
    r"\s*(?:ম|\u09df|\u09af\u09bc|র্থ|ষ্ঠ|st|nd|rd|th)?"
    rf"\s*(?:{_NUMBER_WORD})?\s*(?:টা|টি|টাই|টিই|one|প্রশ্ন|প্রশ্নটা|প্রশ্নটি)?", re.IGNORECASE)


def typed_number(text: str) -> int | None:
    """The position a message names by a number alone ("২", "4।", "তৃতীয়টা", "fifth", "২
    নম্বর"), 1 for the first, whether or not anything stands there ("০", "99"); None for any
    other message."""
    words = clean(text)
    if words.isdecimal() and len(words) <= MAX_CHOICE_DIGITS:
        return int(words)
    if (numbered := _NUMBERED.fullmatch(words)) is not None:
        return int(numbered.group(1))
    return next((position for position, names in enumerate((*_ORDINALS, *_FURTHER_ORDINALS), 1)
                 if words in names), None)


def position(words: str, offered: int) -> int | None:
    """The position `words` pick among `offered` choices: a number, or "শেষেরটা" the last."""
    return offered if words in LAST else typed_number(words)


