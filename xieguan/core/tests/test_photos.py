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
