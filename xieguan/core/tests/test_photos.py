"""Photos from the field: checked, upright, resized, stamped, never orphaned."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xieguan.core import photos


def jpeg(
    width: int = 3200, height: int = 1600, *, exif_time: str | None = None, colour=(30, 120, 200)
) -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    if exif_time:
        exif = Image.Exif()
        exif.get_ifd(photos.EXIF_IFD)[photos.EXIF_DATETIME_ORIGINAL] = exif_time
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_resized_hashed_and_capture_time_read() -> None:
    upload = jpeg(exif_time="2026:05:06 09:30:00")
    prepared = photos.prepare_photo(upload)
    assert (prepared.width, prepared.height) == (1600, 800)
    assert len(prepared.sha256) == 64 and prepared.content[:2] == b"\xff\xd8"
    assert prepared.taken_at is not None and prepared.taken_at.strftime("%Y-%m-%d %H:%M") == "2026-05-06 09:30"


def test_the_same_photo_has_the_same_hash() -> None:
    assert photos.prepare_photo(jpeg()).sha256 == photos.prepare_photo(jpeg()).sha256


def test_stamp_draws_on_the_corner_only() -> None:
    plain = Image.open(io.BytesIO(photos.prepare_photo(jpeg(800, 600)).content))
    stamped = Image.open(io.BytesIO(photos.prepare_photo(jpeg(800, 600), stamp=True).content))
    corner = (stamped.width - 5, stamped.height - 5)
    assert plain.getpixel(corner) != stamped.getpixel(corner)  # the dark band is there
    assert abs(plain.getpixel((5, 5))[2] - stamped.getpixel((5, 5))[2]) < 10  # the rest is untouched


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\xff\xd8\xff\xe0broken"])
def test_not_a_photo_is_refused_in_chinese(content: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        photos.prepare_photo(SimpleUploadedFile("x.jpg", content), field="photo")
    assert "photo" in caught.value.message_dict


def test_too_large_is_refused_before_reading_it_all(monkeypatch) -> None:
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 100)
    with pytest.raises(ValidationError) as caught:
        photos.prepare_photo(jpeg())
    assert "20 MB" in " ".join(caught.value.messages)


def test_files_are_removed_when_the_work_fails(tmp_path) -> None:
    storage = FileSystemStorage(location=tmp_path)

    class Field:
        name = ""

        def save(self, name, content, save=False):
            self.name = storage.save(name, content)

        @property
        def storage(self):
            return storage

    field = Field()
    with pytest.raises(RuntimeError), photos.files_kept_on_success() as files:
        files.save(field, "a.jpg", b"x")
        assert storage.exists(field.name)
        raise RuntimeError("the database refused the row")
    assert not any(tmp_path.iterdir())

    kept = Field()
    with photos.files_kept_on_success() as files:
        files.save(kept, "b.jpg", b"y")
    assert storage.exists(kept.name)


def one_bit_bomb(side: int = 12000) -> bytes:
    """A 12000×12000 one-bit PNG: about 17 KB on the wire, 144 million
    pixels (under Pillow's own hard limit) once decoded."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_a_144_megapixel_png_is_refused_in_chinese() -> None:
    bomb = one_bit_bomb()
    assert len(bomb) < 64 * 1024
    with pytest.raises(ValidationError) as caught:
        photos.prepare_photo(SimpleUploadedFile("bomb.png", bomb, content_type="image/png"), field="photos")
    assert "像素" in " ".join(caught.value.message_dict["photos"])


def test_a_pillow_bomb_warning_is_an_error_not_a_photo(monkeypatch) -> None:
    # Below our own limit but over Pillow's (lowered here): the warning Pillow
    # gives is turned into the same refusal.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000 * 1000)
    with pytest.raises(ValidationError) as caught:
        photos.prepare_photo(jpeg(1200, 1000))
    assert "像素" in " ".join(caught.value.messages)


def test_the_pixel_limit_is_a_setting(settings) -> None:
    settings.PHOTO_MAX_PIXELS = 2_000_000
    with pytest.raises(ValidationError):
        photos.prepare_photo(jpeg(2000, 1001))
    assert photos.prepare_photo(jpeg(2000, 1000)).width == 1600


def test_a_4000_by_3000_photo_still_works() -> None:
    prepared = photos.prepare_photo(jpeg(4000, 3000))
    assert (prepared.width, prepared.height) == (1600, 1200)


def test_exif_orientation_is_still_applied_after_shrinking() -> None:
    image = Image.new("RGB", (3200, 1600), (30, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    prepared = photos.prepare_photo(SimpleUploadedFile("r.jpg", out.getvalue()))
    assert (prepared.width, prepared.height) == (800, 1600)


PEAK_MEMORY_PROBE = """
import io, resource, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from xieguan.core.photos import prepare_photo
out = io.BytesIO()
Image.new("1", (12000, 12000), 0).save(out, format="PNG", optimize=True)
data = out.getvalue()
del out
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    prepare_photo(SimpleUploadedFile("bomb.png", data, content_type="image/png"))
    outcome = "accepted"
except Exception as exc:
    outcome = type(exc).__name__
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(outcome, (after - before) // 1024)
"""


def _peak_growth_mb(side: int) -> tuple[str, int]:
    """prepare_photo on a side×side one-bit PNG in a fresh process, so the
    peak (ru_maxrss, in KB on Linux) is that call's: (outcome, MB grown)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    probe = PEAK_MEMORY_PROBE.replace("(12000, 12000)", f"({side}, {side})")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(settings.BASE_DIR),
        timeout=120,
        check=True,
    )
    outcome, grown = done.stdout.split()
    return outcome, int(grown)


def test_decoding_the_144_megapixel_png_grows_peak_memory_by_under_100_mb() -> None:
    outcome, grown_mb = _peak_growth_mb(12000)
    assert outcome == "ValidationError"
    assert grown_mb < 100


def test_even_a_photo_at_the_pixel_limit_is_shrunk_before_it_is_coloured() -> None:
    # 49 MP of one-bit pixels (allowed): decoded in its own mode and shrunk
    # first, never 147 MB of RGB.
    outcome, grown_mb = _peak_growth_mb(7000)
    assert outcome == "accepted"
    assert grown_mb < 100
