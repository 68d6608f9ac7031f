"""Bengali sentence splitting: dari, ? and !, quotations, abbreviations; slices of the text."""

import pytest

from bot.core.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("লামা একটি মডেল। এটি জনপ্রিয়। ", ["লামা একটি মডেল।", "এটি জনপ্রিয়।"]),
        ("লামাকন কবে? এপ্রিলে! জেনে রাখুন।", ["লামাকন কবে?", "এপ্রিলে!", "জেনে রাখুন।"]),
        ("সত্যিই?! দারুণ।", ["সত্যিই?!", "দারুণ।"]),
        # A dari ends a sentence even when the next one starts without a space.
        ("শেষ হলো।নতুন শুরু।", ["শেষ হলো।", "নতুন শুরু।"]),
        ("শেষ হলো॥ নতুন৷ আবার।", ["শেষ হলো॥", "নতুন৷", "আবার।"]),
        # A quoted speech is one sentence with its attribution, marks inside included.
        ("রহিম বলেন, “আমরা খুশি। আরও কাজ বাকি।” এরপর তিনি চলে যান।",
         ["রহিম বলেন, “আমরা খুশি। আরও কাজ বাকি।”", "এরপর তিনি চলে যান।"]),
        ("“কেন এমন হলো?” জিজ্ঞেস করেন তিনি।", ["“কেন এমন হলো?”", "জিজ্ঞেস করেন তিনি।"]),
        ("তিনি বলেন, ‘এটা শুরু মাত্র।’ পরের খবর।", ["তিনি বলেন, ‘এটা শুরু মাত্র।’", "পরের খবর।"]),
        ('তিনি বলেন, "এটা শুরু মাত্র।" পরের খবর।', ['তিনি বলেন, "এটা শুরু মাত্র।"', "পরের খবর।"]),
        ("“আমরা খুশি,” বলেন রহিম। পরের খবর।", ["“আমরা খুশি,” বলেন রহিম।", "পরের খবর।"]),
        ("(এ নিয়ে পরে বলা হবে।) পরের বাক্য।", ["(এ নিয়ে পরে বলা হবে।)", "পরের বাক্য।"]),
        # A quotation left open does not swallow the rest of the paragraph.
        ("তিনি বলেন, “আমরা খুশি। আরও কাজ বাকি। তিনি চলে যান।",
         ["তিনি বলেন, “আমরা খুশি।", "আরও কাজ বাকি।", "তিনি চলে যান।"]),
        # Apostrophes are not quotation marks.
        ("Meta's model is 'open'. Users' data is safe. ঠিক আছে।",
         ["Meta's model is 'open'.", "Users' data is safe.", "ঠিক আছে।"]),
        # Abbreviations, initials and numbers keep their dots.
        ("ড. রহমান ও মো. করিম ঢাকায় এলেন। ডা. সেন ও মি. দাস ছিলেন।",
         ["ড. রহমান ও মো. করিম ঢাকায় এলেন।", "ডা. সেন ও মি. দাস ছিলেন।"]),
        ("Dr. Smith and Mr. Lee met in the U.S. last year. They agreed, e.g. on data.",
         ["Dr. Smith and Mr. Lee met in the U.S. last year.", "They agreed, e.g. on data."]),
        ("এ. কে. ফজলুল হক বলেন। J. K. Rowling wrote.", ["এ. কে. ফজলুল হক বলেন।",
                                                     "J. K. Rowling wrote."]),
        ("নির্ভুলতা ৯৩.৫ শতাংশ। তারপর... সব শেষ।", ["নির্ভুলতা ৯৩.৫ শতাংশ।", "তারপর... সব শেষ।"]),
        # A Bengali sentence typed with a full stop still ends at one-letter words like না.
        ("আমি যাব না. তুমি যাবে?", ["আমি যাব না.", "তুমি যাবে?"]),
        ("visit example.org?q=1 now. Done.", ["visit example.org?q=1 now.", "Done."]),
        # No sentence crosses a line; a line without an end mark is one sentence (a heading).
        ("শিরোনাম\n\nপ্রথম। দ্বিতীয়\nতৃতীয়।\n", ["শিরোনাম", "প্রথম।", "দ্বিতীয়", "তৃতীয়।"]),
        ("", []),
        ("  \n\t\n", []),
    ],
)
def test_split(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_spans_are_slices_of_the_text_itself() -> None:
    text = "শিরোনাম\r\n\r\n  রহিম বলেন, “খুশি।” ড. করিম এলেন।  \nশেষ?\n"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "শিরোনাম", "রহিম বলেন, “খুশি।”", "ড. করিম এলেন।", "শেষ?"
    ]
    assert all(text.find(text[a:b]) == a for a, b in spans)
