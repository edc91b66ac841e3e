"""The summary's charts drawn on the server, without a browser: the trend
of an indicator as a line and the areas ranked as bars, as PNG images that
the Word file and the PDF both take in. Drawn with Pillow (already a
dependency, for photos) in the app's own CJK font (Noto Sans SC, the one the
PDFs embed), so area names and month labels read in Chinese; matplotlib is
not a dependency and a chart of twelve points or twenty bars needs none."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from urllib.parse import unquote, urlparse

from PIL import Image, ImageDraw, ImageFont

from xieguan.core.documents import font_urls

# Drawn at twice the size it prints (16 cm wide), so it stays sharp on paper.
WIDTH = 1600
GREEN = (11, 110, 79)
MARKED = (211, 84, 0)
GRID = (220, 224, 220)
INK = (30, 30, 30)
MUTED = (110, 110, 110)


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = Path(unquote(urlparse(font_urls()[400]).path))
    return ImageFont.truetype(str(path), size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def line_chart(title: str, labels: list[str], values: list[float | None]) -> bytes:
    """A line of percentages (0–100) over ``labels``, each point labelled;
    a month with nothing to count (None) is a gap, not a zero."""
    height = 720
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    big, small = _font(40), _font(26)
    draw.text((40, 24), title, fill=INK, font=big)
    left, right, top, bottom = 130, WIDTH - 50, 120, height - 110
    for tick in range(0, 101, 20):
        y = bottom - (bottom - top) * tick / 100
        draw.line((left, y, right, y), fill=GRID, width=2)
        draw.text((left - 16, y), f"{tick}%", fill=MUTED, font=small, anchor="rm")
    step = (right - left) / max(len(labels), 1)
    points: list[tuple[float, float] | None] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + step * (i + 0.5)
        draw.text((x, bottom + 20), label, fill=MUTED, font=small, anchor="ma")
        points.append(None if value is None else (x, bottom - (bottom - top) * min(max(value, 0), 100) / 100))
    for a, b in itertools.pairwise(points):
        if a is not None and b is not None:
            draw.line((a, b), fill=GREEN, width=6)
    for point, value in zip(points, values, strict=True):
        if point is not None:
            x, y = point
            draw.ellipse((x - 10, y - 10, x + 10, y + 10), fill=GREEN)
            draw.text((x, y - 18), _percent(value), fill=INK, font=small, anchor="md")
    return _png(image)


def bar_chart(title: str, names: list[str], values: list[float | None], marked: list[bool]) -> bytes:
    """Horizontal bars of percentages, one per name in the given order (best
    first), a marked one in another colour; a name with nothing to count
    gets no bar and a dash."""
    row = 56
    height = 120 + row * max(len(names), 1) + 40
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    big, small = _font(40), _font(28)
    draw.text((40, 24), title, fill=INK, font=big)
    widest = max((draw.textlength(n, font=small) for n in names), default=0)
    left = int(min(max(widest + 60, 200), WIDTH / 3))
    right = WIDTH - 160
    top = 120
    for tick in range(0, 101, 20):
        x = left + (right - left) * tick / 100
        draw.line((x, top - 10, x, top + row * len(names)), fill=GRID, width=2)
    for i, (name, value, mine) in enumerate(zip(names, values, marked, strict=True)):
        y = top + row * i
        draw.text((left - 20, y + row / 2), name, fill=INK, font=small, anchor="rm")
        end = left if value is None else left + (right - left) * min(max(value, 0), 100) / 100
        if value is not None:
            draw.rectangle((left, y + 8, max(end, left + 2), y + row - 8), fill=MARKED if mine else GREEN)
        draw.text((end + 14, y + row / 2), _percent(value), fill=INK, font=small, anchor="lm")
    return _png(image)
