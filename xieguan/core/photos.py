"""Photos and signatures from the field, one way for every app.

``prepare_photo`` turns an upload into what we keep: refused over 20 MB, over
``PHOTO_MAX_PIXELS`` (read from the header, before any decoding: a 17 KB PNG
can hold 144 million pixels) or when it is not an image (Chinese messages,
keyed by the form's field), shrunk while it is decoded (JPEG draft mode) or
right after, before anything converts it to full colour, turned
upright from EXIF, resized to 1600 px on the long side, JPEG, its sha256
taken from the original bytes (so the same photo sent twice over a weak
signal is recognised), its capture time read from EXIF, and — when asked —
that time stamped into the corner of the image with the lines the caller
gives (the place and the GPS fix, which the owning app words), as
inspection evidence needs. Only the hash of the original is kept, not the
original bytes: the hash proves which photo the stamped one was made from.

``files_kept_on_success`` wraps the transaction that saves them, so that no
orphan file is left on disk when it fails.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from xieguan.core.errors import MissingFile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from xieguan.areas.models import Area
    from xieguan.units.models import Unit

MAX_PHOTO_BYTES = 20 * 1024 * 1024
MAX_PHOTO_SIDE = 1600
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    sha256: str
    width: int
    height: int
    taken_at: datetime.datetime | None

    @property
    def name(self) -> str:
        return f"{self.sha256[:16]}.jpg"


@dataclass(frozen=True)
class GpsFix:
    """Where a photo or a record was taken, as the phone's GPS gave it."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: float | None = None


def check_gps(latitude: Any, longitude: Any, accuracy_m: Any) -> None:
    errors = {}
    for name, value in (("latitude", latitude), ("longitude", longitude), ("accuracy_m", accuracy_m)):
        if value is not None and not math.isfinite(float(value)):
            errors[name] = _("The location must be given as finite numbers.")
    if errors:
        raise ValidationError(errors)
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    if latitude is not None and not (-90 <= Decimal(str(latitude)) <= 90):
        errors["latitude"] = _("The latitude must be between -90 and 90.")
    if longitude is not None and not (-180 <= Decimal(str(longitude)) <= 180):
        errors["longitude"] = _("The longitude must be between -180 and 180.")
    if accuracy_m is not None and accuracy_m < 0:
        errors["accuracy_m"] = _("The accuracy cannot be negative.")
    if errors:
        raise ValidationError(errors)


def gps_fix_checked(latitude: Any, longitude: Any, accuracy_m: Any = None) -> GpsFix | None:
    """The fix sent with a photo, checked (both coordinates or neither, in
    range, a finite accuracy not below 0; Chinese messages keyed by field),
    or None when none was sent."""
    check_gps(latitude, longitude, accuracy_m)
    if latitude is None:
        return None
    return GpsFix(
        Decimal(str(latitude)), Decimal(str(longitude)), float(accuracy_m) if accuracy_m is not None else None
    )


def gps_fix_text(fix: GpsFix | None) -> str:
    """``GPS 31.2304, 121.4737 ±12 m``; without a fix, 无定位."""
    if fix is None:
        return _("No location fix")
    text = f"GPS {float(fix.latitude):.4f}, {float(fix.longitude):.4f}"
    if fix.accuracy_m is not None:
        text += f" ±{round(fix.accuracy_m)} m"
    return text


def stamp_place(unit: Unit | None, area: Area | None, place: str = "") -> str:
    """The place a photo is stamped with: the unit's name and address (its
    township or village when it has no address); with no unit, the area's
    full name followed by the place as typed (a report's or a publicity
    record's 地点)."""
    if unit is not None:
        return f"{unit.name} {unit.address or (area.name if area is not None else '')}".strip()
    return " ".join(part for part in ((area.full_name() if area is not None else ""), place.strip()) if part)


def evidence_stamp_lines(
    *, unit: Unit | None = None, area: Area | None = None, place: str = "", fix: GpsFix | None
) -> list[str]:
    """What is stamped under the time on an evidence photo (an inspection's,
    a report's, a publicity record's): the place, then the GPS fix with its
    accuracy (or 无定位). ``stamp_text`` puts the local time first."""
    return [stamp_place(unit, area, place), gps_fix_text(fix)]


def _exif_time(image: Image.Image) -> datetime.datetime | None:
    try:
        exif = image.getexif()
        raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    except Exception:  # a broken EXIF block is common on cheap phones; ignore it
        return None
    if not raw:
        return None
    try:
        naive = datetime.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)


STAMP_FONT = "vendor/fonts/noto-sans-sc-chinese-simplified-400-normal.woff2"


@functools.lru_cache(maxsize=64)
def _stamp_font(size: int) -> Any:
    """The embedded CJK font (the one the PDFs use) at ``size`` px, so place
    names in Chinese are drawn; Pillow's own font when it is missing.
    Loaded once per size and process: unpacking the woff2 took 38 ms of
    every photo (a phone's photos are all one width, so one or two sizes)."""
    from django.contrib.staticfiles import finders

    found = finders.find(STAMP_FONT)
    if found:
        try:
            return ImageFont.truetype(str(found), size)
        except OSError:  # a FreeType without woff2 support
            pass
    return ImageFont.load_default(size=size)


def stamp_text(when: datetime.datetime, extra: Sequence[str] = ()) -> list[str]:
    """The lines stamped on a photo: the local time (Asia/Shanghai), then
    ``extra`` (the place, the GPS fix) as given, empty lines left out."""
    return [timezone.localtime(when).strftime("%Y-%m-%d %H:%M"), *(line for line in extra if line)]


def _stamp(image: Image.Image, lines: Sequence[str]) -> None:
    """Draw ``lines`` in the bottom-right corner on a dark band, large
    enough to read on the printed record; a line too long for the photo
    makes the letters smaller, never runs off the edge."""
    size = max(16, image.width // 40)
    font = _stamp_font(size)
    draw = ImageDraw.Draw(image)
    widest = max(draw.textlength(line, font=font) for line in lines)
    if widest > image.width * 0.94 and size > 10:
        size = max(10, int(size * image.width * 0.94 / widest))
        font = _stamp_font(size)
        widest = max(draw.textlength(line, font=font) for line in lines)
    pad = size // 3
    line_height = size + pad
    x = image.width - int(widest) - 2 * pad
    y = image.height - line_height * len(lines) - pad
    draw.rectangle((x - pad, y - pad, image.width, image.height), fill=(0, 0, 0))
    for number, line in enumerate(lines):
        draw.text((x, y + number * line_height), line, fill=(255, 200, 0), font=font)


class _TooManyPixels(Exception):
    pass


def max_photo_pixels() -> int:
    """The most pixels a photo may have (``PHOTO_MAX_PIXELS``, 50 million by
    default: a 48 MP phone camera passes, a decompression bomb does not)."""
    return int(getattr(settings, "PHOTO_MAX_PIXELS", 50_000_000))


def _decode_bounded(raw: bytes, max_side: int) -> tuple[Image.Image, datetime.datetime | None]:
    """Decode ``raw`` into an upright RGB image no larger than ``max_side``,
    never holding more than the shrunk image in full colour: the size is
    read from the header and refused above the limit before any pixel is
    decoded; a JPEG is decoded at a reduced scale (``draft``); anything
    else is shrunk in its own mode (one byte a pixel for greyscale and
    one-bit images) before ``convert("RGB")``."""
    with Image.open(io.BytesIO(raw)) as probe:
        width, height = probe.size
        if width * height > max_photo_pixels():
            raise _TooManyPixels
        probe.verify()
    opened = Image.open(io.BytesIO(raw))
    taken_at = _exif_time(opened)
    if opened.format == "JPEG":
        opened.draft("RGB", (max_side, max_side))
    # thumbnail() reduces by whole factors first, then resamples; EXIF
    # orientation survives it, so turning upright comes after, on the small image.
    opened.thumbnail((max_side, max_side))
    upright = ImageOps.exif_transpose(opened)
    return upright.convert("RGB"), taken_at


def prepare_photo(
    upload: Any,
    *,
    field: str = "image",
    stamp_time: datetime.datetime | None = None,
    stamp: bool = False,
    stamp_lines: Sequence[str] = (),
    max_side: int = MAX_PHOTO_SIDE,
) -> PreparedPhoto:
    """Validate and normalise an uploaded photo (see the module doc).

    With ``stamp=True`` the capture time is written on the image: the EXIF
    time if the photo has one, else ``stamp_time``, else now; under it
    ``stamp_lines`` (see ``stamp_text``). ``sha256`` is always the hash of
    the bytes uploaded, before any stamping.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError({field: _("The photo is larger than 20 MB.")})
    raw = upload.read(MAX_PHOTO_BYTES + 1)
    if len(raw) > MAX_PHOTO_BYTES:
        raise ValidationError({field: _("The photo is larger than 20 MB.")})
    if not raw:
        raise ValidationError({field: _("This file is not a photo.")})
    digest = hashlib.sha256(raw).hexdigest()
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; here a
            # bomb is an error whatever its size.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, taken_at = _decode_bounded(raw, max_side)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, _TooManyPixels):
        raise ValidationError(
            {
                field: _("The picture has more than %(million)d million pixels; take it again at a lower resolution.")
                % {"million": max_photo_pixels() // 1_000_000}
            }
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError({field: _("This file is not a photo.")}) from None
    if stamp:
        when = taken_at or stamp_time or timezone.now()
        _stamp(image, stamp_text(when, stamp_lines))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return PreparedPhoto(out.getvalue(), digest, image.width, image.height, taken_at)


def prepare_signature(upload: Any, *, field: str = "signature") -> PreparedPhoto:
    """A handwritten signature drawn on a phone (PNG from a canvas): same
    checks, kept small, never stamped."""
    return prepare_photo(upload, field=field, max_side=800)


class StoredFiles:
    """Files written inside one unit of work; see ``files_kept_on_success``."""

    def __init__(self) -> None:
        self.written: list[tuple[Any, str]] = []

    def save(self, file_field: Any, name: str, content: bytes) -> None:
        """Save ``content`` into ``file_field`` without saving the model."""
        file_field.save(name, ContentFile(content), save=False)
        self.written.append((file_field.storage, file_field.name))


@contextmanager
def files_kept_on_success() -> Iterator[StoredFiles]:
    """Wrap a transaction that writes files: if anything inside fails (and the
    database rolls back), the files written are deleted too, so no orphan is
    left on disk::

        with files_kept_on_success() as files, transaction.atomic():
            files.save(photo.image, prepared.name, prepared.content)
            photo.save()
    """
    files = StoredFiles()
    try:
        yield files
    except BaseException:
        for storage, name in files.written:
            if name and storage.exists(name):
                storage.delete(name)
        raise


def save_photo_once(
    model: Any,
    prepared: PreparedPhoto,
    *,
    actor: AbstractBaseUser,
    owner: dict[str, Any],
    extra: dict[str, Any] | None = None,
    check: Callable[[], None] | None = None,
    key: dict[str, Any] | None = None,
) -> tuple[Any, bool]:
    """Keep ``prepared`` as a ``model`` row of its ``owner`` (``{"report":
    report}``), once by its hash — or, when the sender named the photo
    (``key={"client_id": id}``, the phone's id of that photo), once by that
    name, so two photos of the same bytes in two places are both kept: a
    photo the owner already holds answers with that row. ``check`` runs only
    when a new row is to be made (a lock, a limit), so a retry of a kept
    photo is never refused. Two sends of the same photo at once (two tabs, a
    retry racing its original) meet at the model's unique constraint on
    (owner, sha256) or (owner, key): the loser answers with the winner's row
    and leaves no file behind. Audited. Returns (photo, created)."""
    from django.db import IntegrityError, transaction

    from xieguan.core.audit import audit_record

    match = dict(key) if key else {"sha256": prepared.sha256}

    def held() -> Any:
        return model.objects.filter(**match, **owner).first()

    found = held()
    if found is not None:
        return found, False
    if check is not None:
        check()
    try:
        with files_kept_on_success() as files, transaction.atomic():
            photo = model(
                sha256=prepared.sha256,
                width=prepared.width,
                height=prepared.height,
                uploaded_by=actor,
                **(key or {}),
                **(extra or {}),
                **owner,
            )
            files.save(photo.image, prepared.name, prepared.content)
            photo.save()
            # audit_record keeps "file uploaded", never where the file is stored.
            audit_record(actor=actor, action="photo.add", obj=photo, changes={"image": [None, photo.image.name]})
    except IntegrityError:
        found = held()
        if found is None:
            raise
        return found, False
    return photo, True


def open_stored(field_file: Any) -> Any:
    """Open a record's stored file for reading; a file that has gone (a lost
    disk, a restore without media) is a 404 with a Chinese message, never a
    500. ``manage.py check_media`` lists such records."""
    from xieguan.core.storage import open_stream

    try:
        # A stream from the disk or the bucket, never the whole object in memory.
        return open_stream(getattr(field_file, "name", "") or "", storage=field_file.storage)
    except (FileNotFoundError, ValueError):  # ValueError: the field holds no file
        raise MissingFile from None


def private_image_response(image: Any, *, name: str | None = None) -> FileResponse:
    """Serve a stored photo or signature to a user the caller has already
    found allowed (the scoped lookup): never from a public media URL, and
    cached only by that user's browser. Saved, it is named ``name`` (what it
    is, in the user's language), never by its storage name."""
    from xieguan.core.documents import download_header, download_name

    name = name or _("Photo")

    png = str(getattr(image, "name", "")).lower().endswith(".png")
    stream = open_stored(image)
    response = FileResponse(stream, content_type="image/png" if png else "image/jpeg")
    if getattr(stream, "size", None) is not None and not response.has_header("Content-Length"):
        response["Content-Length"] = str(stream.size)
    response["Content-Disposition"] = download_header(download_name(name, ext="png" if png else "jpg"), inline=True)
    response["Cache-Control"] = "private, max-age=3600"
    return response
