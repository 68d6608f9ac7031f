"""The /stats chart: questions per day of the last 14 by outcome, and the top facts (PNG).

Optional: needs Pillow with its Raqm layout engine (`pip install 'llamabot[chart]'`; the
wheels on PyPI bundle it). Bengali is shaped by Raqm (HarfBuzz): without it conjuncts
(ক্ষ, ন্দ্র) and vowel signs come out as broken glyphs, so no Raqm means no chart, never
a wrong one. The Bengali font is shipped with the package (Noto Sans Bengali, OFL, see
fonts/OFL.txt); Latin letters, which it lacks, come from Pillow's own font.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.usage import Day

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

FONT = Path(__file__).parent / "fonts" / "NotoSansBengali-Regular.ttf"
WIDTH, HEIGHT = 1000, 760
MARGIN = 40
BACKGROUND, INK, GRID = "#ffffff", "#222222", "#dddddd"
COLOURS = ("#2e7d32", "#f9a825", "#c62828")  # answered, did you mean, fallback
BAR = "#1565c0"
BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
# Characters either font draws: they stay in the run they are in.
_NEUTRAL = frozenset(" 0123456789.,:;()/-+×%")


@dataclass(frozen=True)
class Labels:
    """The chart's words (the caller's language)."""

    title: str
    answered: str
    suggested: str
    fallback: str
    top: str
    empty: str


class ChartUnavailable(Exception):
    """Pillow, or its Raqm layout engine, is not installed: /stats stays text."""


def available() -> bool:
    """Whether charts can be drawn with shaped Bengali here."""
    try:
        from PIL import features
    except ImportError:
        return False
    return bool(features.check("raqm")) and FONT.is_file()


def render(days: Sequence[Day], top: Sequence[tuple[str, int]], labels: Labels) -> bytes:
    """The chart as PNG bytes; `top` is (label, count), most first. Raises ChartUnavailable."""
    if not available():
        raise ChartUnavailable("Pillow with Raqm is not installed")
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    canvas = _Canvas(ImageDraw.Draw(image))
    canvas.text((MARGIN, 48), labels.title, 30)
    legend_x = MARGIN
    for colour, name in zip(COLOURS, (labels.answered, labels.suggested, labels.fallback),
                            strict=True):
        canvas.draw.rectangle((legend_x, 70, legend_x + 16, 86), fill=colour)
        legend_x += 24 + canvas.text((legend_x + 22, 85), name, 18) + 24
    _days(canvas, days, labels, top=110, bottom=430)
    _top(canvas, top, labels, top_y=480)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _days(canvas: _Canvas, days: Sequence[Day], labels: Labels, top: int, bottom: int) -> None:
    most = max((d.total for d in days), default=0)
    left, right = MARGIN + 40, WIDTH - MARGIN
    step = _nice_step(most)
    ceiling = max(step, -(-most // step) * step)
    for value in range(0, ceiling + 1, step):
        y = bottom - (bottom - top) * value / ceiling
        canvas.draw.line((left, y, right, y), fill=GRID)
        canvas.text((MARGIN, y + 6), _digits(value), 14)
    if not most:
        canvas.text((left + 20, (top + bottom) // 2), labels.empty, 20)
    slot = (right - left) / max(len(days), 1)
    for index, day in enumerate(days):
        x0 = left + index * slot + slot * 0.15
        x1 = left + (index + 1) * slot - slot * 0.15
        y = float(bottom)
        for colour, value in zip(COLOURS, (day.answered, day.suggested, day.fallback),
                                 strict=True):
            if value:
                height = (bottom - top) * value / ceiling
                canvas.draw.rectangle((x0, y - height, x1, y), fill=colour)
                y -= height
        label = _digits(f"{day.day.day}/{day.day.month}")
        canvas.text((int((x0 + x1) / 2) - canvas.width(label, 14) // 2, bottom + 22), label, 14)


def _top(canvas: _Canvas, top: Sequence[tuple[str, int]], labels: Labels, top_y: int) -> None:
    canvas.text((MARGIN, top_y), labels.top, 22)
    if not top:
        canvas.text((MARGIN, top_y + 44), labels.empty, 18)
        return
    most = max(count for _, count in top)
    names = [_short(name) for name, _ in top]
    bar_left = MARGIN + min(max(canvas.width(n, 18) for n in names) + 16, 420)
    for row, (name, (_, count)) in enumerate(zip(names, top, strict=True)):
        y = top_y + 28 + row * 44
        canvas.text((MARGIN, y + 24), name, 18)
        length = (WIDTH - MARGIN - 70 - bar_left) * count / most
        canvas.draw.rectangle((bar_left, y + 6, bar_left + max(length, 2), y + 30), fill=BAR)
        canvas.text((int(bar_left + length) + 8, y + 25), _digits(count), 16)


class _Canvas:
    """Mixed Bengali and Latin text: each run in a font that has its letters, shaped."""

    def __init__(self, draw: ImageDraw) -> None:
        self.draw = draw
        self._fonts: dict[int, tuple[FreeTypeFont, FreeTypeFont]] = {}

    def text(self, at: tuple[float, float], text: str, size: int) -> int:
        """Draw `text` with its baseline at `at`; return its width."""
        x, y = at
        for run, font in self._runs(text, size):
            self.draw.text((x, y), run, font=font, fill=INK, anchor="ls")
            x += font.getlength(run)
        return int(x - at[0])

    def width(self, text: str, size: int) -> int:
        return int(sum(font.getlength(run) for run, font in self._runs(text, size)))

    def _runs(self, text: str, size: int) -> list[tuple[str, FreeTypeFont]]:
        if size not in self._fonts:
            self._fonts[size] = _fonts(size)
        bengali, latin = self._fonts[size]
        runs: list[tuple[str, FreeTypeFont]] = []
        for char in text:
            if char in _NEUTRAL and runs:
                font = runs[-1][1]
            else:
                font = bengali if _is_bengali(char) else latin
            if runs and runs[-1][1] is font:
                runs[-1] = (runs[-1][0] + char, font)
            else:
                runs.append((char, font))
        return runs


def _fonts(size: int) -> tuple[FreeTypeFont, FreeTypeFont]:
    from PIL import ImageFont

    bengali = ImageFont.truetype(str(FONT), size, layout_engine=ImageFont.Layout.RAQM)
    latin = ImageFont.load_default(size)
    assert isinstance(latin, ImageFont.FreeTypeFont)  # Pillow's own TrueType font (≥ 10.1)
    return bengali, latin


def _is_bengali(char: str) -> bool:
    # The Bengali block, the dandas it shares with Devanagari, ZWNJ and ZWJ (conjunct control).
    return "\u0980" <= char <= "\u09ff" or char in "\u0964\u0965\u200c\u200d"


def _digits(value: object) -> str:
    return str(value).translate(BENGALI_DIGITS)


def _short(name: str, most: int = 28) -> str:
    if len(name) <= most:
        return name
    cut = most - 1
    # Never between a letter and its vowel sign, or after a hasanta (half a conjunct).
    while cut > 1 and (unicodedata.category(name[cut]).startswith("M")
                       or name[cut - 1] == "\u09cd"):
        cut -= 1
    return name[:cut] + "…"


def _nice_step(most: int) -> int:
    """A round gridline step giving at most about 5 lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if most <= step * 5:
            return step
    return -(-most // 5000) * 1000
