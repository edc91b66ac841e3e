"""What keeps the public page from abuse without anything from outside:
a CAPTCHA drawn here with Pillow, and per-address limits in Django's cache
(``xieguan.core.limits``).

The CAPTCHA's answer never reaches the browser: the page gets a signed,
timestamped token holding a keyed hash of the answer, and an image. A token
is good once (the first check, right or wrong, spends it) and for
COMPLAINTS_CAPTCHA_SECONDS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CAPTCHA_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
CAPTCHA_LENGTH = 5
_SALT = "xieguan.complaints.captcha"


@dataclass(frozen=True)
class Captcha:
    token: str
    png: bytes

    @property
    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode()


def _digest(answer: str) -> str:
    key = (settings.SECRET_KEY + _SALT).encode()
    return hmac.new(key, answer.strip().upper().encode(), hashlib.sha256).hexdigest()


def _draw(text: str) -> bytes:
    rng = secrets.SystemRandom()
    width, height = 180, 64
    image = Image.new("RGB", (width, height), (245, 247, 244))
    draw = ImageDraw.Draw(image)
    for _i in range(6):
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)), (rng.randint(0, width), rng.randint(0, height))],
            fill=(rng.randint(120, 200), rng.randint(120, 200), rng.randint(120, 200)),
            width=2,
        )
    font = ImageFont.load_default(size=38)
    x = 10
    for ch in text:
        glyph = Image.new("RGBA", (48, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((8, 4), ch, font=font, fill=(rng.randint(0, 90), rng.randint(30, 90), 120))
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (x, rng.randint(-2, 8)), glyph)
        x += rng.randint(28, 34)
    for _i in range(160):
        draw.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(90, 90, 90))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def captcha_new() -> Captcha:
    """A new challenge: the token for the form and the image to show."""
    fixed = getattr(settings, "COMPLAINTS_CAPTCHA_FIXED", None)
    answer = fixed or "".join(secrets.choice(CAPTCHA_ALPHABET) for _i in range(CAPTCHA_LENGTH))
    token = signing.dumps({"n": secrets.token_hex(8), "h": _digest(answer)}, salt=_SALT, compress=True)
    return Captcha(token=token, png=_draw(answer))


def captcha_check(token: str, answer: str) -> bool:
    """Whether ``answer`` solves ``token``; the token is spent either way."""
    if not token or not answer:
        return False
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.COMPLAINTS_CAPTCHA_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return False
    if not isinstance(data, dict) or "n" not in data or "h" not in data:
        return False
    # cache.add is atomic: of two checks of one token only one gets True.
    if not cache.add(f"complaints:captcha-used:{data['n']}", 1, settings.COMPLAINTS_CAPTCHA_SECONDS + 60):
        return False
    return hmac.compare_digest(str(data["h"]), _digest(answer))
