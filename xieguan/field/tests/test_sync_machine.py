"""The sync API under generated trouble (issue 10, "nothing lost, nothing
twice"): several phones of two users make reports and publicity records with
photos and send them through the reports and outreach endpoints; any send
may be cut before a request leaves or after the server committed it (the
answer lost), and any record may be sent again from another tab of the same
user. After every step: every record the server committed exists once and
holds what the phone sent, every answer the phone received is the record's
original answer, every photo row belongs to its record and every file on disk
to a photo row. Photos go either as one multipart request or through the
resumable upload (``/api/uploads``) in small chunks, which may be cut mid-way
and resumed from the server's offset, from the same or another tab, or sent
again under another upload id: never a duplicate photo, never an orphan
row or file, and the photo kept is the bytes the phone sent. At the end every phone sends what it still holds, with no
cuts, and the server holds exactly what the phones made."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from PIL import Image

from xieguan.field.models import Upload
from xieguan.field.services import PARTIAL_DIR
from xieguan.outreach.models import Outreach, OutreachPhoto
from xieguan.reports.models import Report, ReportPhoto

# What may change between answers without the record changing: the clock,
# and the photos this phone attached after the record was made.
VOLATILE = ("seconds_left", "is_late", "photo_ids", "steps")


def jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (24, 16), ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    image.putpixel((seed % 24, seed % 16), (255 - (seed % 256), 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class Phone:
    user: str
    headers: dict[str, str]


@dataclass
class Made:
    """A record as the phones hold it."""

    id: str
    user: str
    kind: str
    payload: dict[str, Any]
    photos: list[bytes]
    acked: bool = False
    acked_photos: set[int] = field(default_factory=set)
    upload_ids: list[str] = field(default_factory=list)


CHUNK = 200  # bytes: the test photos are a few hundred bytes, so several chunks each


class SyncMachine(RuleBasedStateMachine):
    phones_by_name: dict[str, Phone] = {}
    areas: dict[str, str] = {}

    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.media = tempfile.mkdtemp(prefix="field-sync-")
        self.override = override_settings(MEDIA_ROOT=self.media)
        self.override.enable()
        self.made: dict[str, Made] = {}
        self.reached: set[str] = set()  # creates that reached the server
        self.photos_reached: dict[str, set[int]] = {}
        self.first_answer: dict[str, dict[str, Any]] = {}
        self.seed = 0

    def teardown(self) -> None:
        try:
            self.drain()
        finally:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
            self.override.disable()
            shutil.rmtree(self.media, ignore_errors=True)

    # ------------------------------------------------------------ the phone's side

    def _url(self, rec: Made) -> str:
        return "/api/reports" if rec.kind == "report" else "/api/outreach"

    def _requests(self, rec: Made) -> list[tuple[str, int | None]]:
        """What a send of this record still has to do, in order."""
        steps: list[tuple[str, int | None]] = [] if rec.acked else [("create", None)]
        steps += [("photo", i) for i in range(len(rec.photos)) if i not in rec.acked_photos]
        return steps

    def _upload(self, phone: Phone, rec: Made, index: int, *, upload_id: str, mid_cut: int | None) -> bool:
        """A photo through the resumable upload; False when cut mid-way."""
        data = rec.photos[index]
        digest = hashlib.sha256(data).hexdigest()
        start = {
            "id": upload_id,
            "target": f"{rec.kind}_photo",
            "record_id": rec.id,
            "length": len(data),
            "sha256": digest,
            "content_type": "image/jpeg",
        }
        response = Client().post("/api/uploads", json.dumps(start), content_type="application/json", **phone.headers)
        assert response.status_code in (200, 201), response.content
        state = response.json()
        chunks = 0
        while not state["complete"]:
            if mid_cut is not None and chunks == mid_cut:
                return False  # the link is cut: the server keeps what arrived
            head = Client().head(f"/api/uploads/{upload_id}", **phone.headers)
            offset = int(head["Upload-Offset"])
            assert offset == state["offset"]
            response = Client().patch(
                f"/api/uploads/{upload_id}",
                data[offset : offset + CHUNK],
                content_type="application/offset+octet-stream",
                HTTP_UPLOAD_OFFSET=str(offset),
                **phone.headers,
            )
            assert response.status_code == 200, response.content
            state = response.json()
            chunks += 1
        assert state["offset"] == len(data) and state["result"]["sha256"] == digest
        return True

    def _do(
        self,
        phone: Phone,
        rec: Made,
        step: tuple[str, int | None],
        *,
        answer_lost: bool,
        via: str = "form",
        mid_cut: int | None = None,
    ) -> bool:
        """One request; False when refused (the send stops there)."""
        kind, index = step
        client = Client()
        if kind == "create":
            response = client.post(
                self._url(rec),
                json.dumps(rec.payload),
                content_type="application/json",
                HTTP_IF_NONE_MATCH="*",
                **phone.headers,
            )
            first = rec.id not in self.reached
            assert response.status_code == (201 if first else 200), response.content
            self.reached.add(rec.id)
            body = {k: v for k, v in response.json().items() if k not in VOLATILE}
            assert body["id"] == rec.id
            if first:
                self.first_answer[rec.id] = body
            else:
                assert body == self.first_answer[rec.id], "a retry got another answer than the first"
            if not answer_lost:
                rec.acked = True
            return True
        assert index is not None
        if rec.id not in self.reached:
            return False  # a photo of a record not yet made: the phone sends the record first
        first = index not in self.photos_reached.setdefault(rec.id, set())
        if via == "upload":
            if not self._upload(phone, rec, index, upload_id=rec.upload_ids[index], mid_cut=mid_cut):
                return False
        else:
            from django.core.files.uploadedfile import SimpleUploadedFile

            upload = SimpleUploadedFile(f"{uuid.uuid4()}.jpg", rec.photos[index], content_type="image/jpeg")
            response = client.post(f"{self._url(rec)}/{rec.id}/photos", {"image": upload}, **phone.headers)
            assert response.status_code == (201 if first else 200), response.content
        self.photos_reached[rec.id].add(index)
        if not answer_lost:
            rec.acked_photos.add(index)
        return True

    def send(
        self, phone: Phone, rec: Made, *, cut_at: int | None, cut: str, via: str = "form", mid_cut: int = 1
    ) -> None:
        for position, step in enumerate(self._requests(rec)):
            if position == cut_at:
                if cut == "after":
                    self._do(phone, rec, step, answer_lost=True, via=via)
                elif cut == "mid" and step[0] == "photo":
                    self._do(phone, rec, step, answer_lost=True, via="upload", mid_cut=mid_cut)
                return
            if not self._do(phone, rec, step, answer_lost=False, via=via):
                return

    def drain(self) -> None:
        for rec in self.made.values():
            phone = next(p for p in self.phones_by_name.values() if p.user == rec.user)
            self.send(phone, rec, cut_at=None, cut="")
            assert rec.acked and rec.acked_photos == set(range(len(rec.photos)))
        self.check_server()
        reports = set(map(str, Report.objects.values_list("pk", flat=True)))
        outreach = set(map(str, Outreach.objects.values_list("pk", flat=True)))
        assert reports == {r.id for r in self.made.values() if r.kind == "report"}
        assert outreach == {r.id for r in self.made.values() if r.kind == "outreach"}
        # Every upload that was started and resumed has finished; nothing partial is left.
        for rec in self.made.values():
            phone = next(p for p in self.phones_by_name.values() if p.user == rec.user)
            for index, upload_id in enumerate(rec.upload_ids):
                if Upload.objects.filter(pk=upload_id, completed_at__isnull=True).exists():
                    assert self._upload(phone, rec, index, upload_id=upload_id, mid_cut=None)
        partial = Path(self.media) / PARTIAL_DIR
        assert not partial.exists() or not any(p.is_file() for p in partial.rglob("*"))
        self.check_server()

    # ------------------------------------------------------------ rules

    @rule(
        target=records,
        phone=st.sampled_from(["cg1-a", "cg1-b", "cun1"]),
        kind=st.sampled_from(["report", "outreach"]),
        photos=st.integers(0, 2),
    )
    def make(self, phone: str, kind: str, photos: int) -> str:
        user = self.phones_by_name[phone].user
        record_id = str(uuid.uuid4())
        if kind == "report":
            payload = {
                "id": record_id,
                "category": "drinking_water",
                "found_at": (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)).isoformat(),
                "place": f"水井 {len(self.made)}",
                "content": "井水浑浊",
                "affected_count": len(self.made),
            }
        else:
            payload = {
                "id": record_id,
                "area_id": self.areas[user],
                "date": datetime.date.today().isoformat(),
                "place": f"村委会 {len(self.made)}",
                "form": "leaflets",
                "theme": "饮用水卫生",
                "audience_count": 10 + len(self.made),
            }
        shots = []
        for _ in range(photos):
            self.seed += 1
            shots.append(jpeg(self.seed))
        self.made[record_id] = Made(
            record_id, user, kind, payload, shots, upload_ids=[str(uuid.uuid4()) for _ in shots]
        )
        return record_id

    @rule(
        record_id=records,
        tab=st.sampled_from(["a", "b"]),
        cut_at=st.none() | st.integers(0, 3),
        cut=st.sampled_from(["before", "after", "mid"]),
        via=st.sampled_from(["form", "upload"]),
        mid_cut=st.integers(0, 3),
    )
    def send_from_a_phone(self, record_id: str, tab: str, cut_at: int | None, cut: str, via: str, mid_cut: int) -> None:
        rec = self.made[record_id]
        phone = self.phones_by_name["cun1"] if rec.user == "cun1" else self.phones_by_name[f"cg1-{tab}"]
        self.send(phone, rec, cut_at=cut_at, cut=cut, via=via, mid_cut=mid_cut)

    @rule(record_id=records, index=st.integers(0, 1))
    def same_photo_from_another_device(self, record_id: str, index: int) -> None:
        """Another phone of the same user sends the same bytes under its own
        upload id: the server answers with the photo it holds."""
        rec = self.made[record_id]
        if rec.id not in self.reached or index >= len(rec.photos):
            return
        phone = next(p for p in self.phones_by_name.values() if p.user == rec.user)
        assert self._upload(phone, rec, index, upload_id=str(uuid.uuid4()), mid_cut=None)
        self.photos_reached.setdefault(rec.id, set()).add(index)

    @rule(record_id=records)
    def forced_resend_of_everything(self, record_id: str) -> None:
        """The phone forgets every acknowledgement and sends it all again."""
        rec = self.made[record_id]
        rec.acked = False
        rec.acked_photos = set()
        phone = next(p for p in self.phones_by_name.values() if p.user == rec.user)
        self.send(phone, rec, cut_at=None, cut="")

    # ------------------------------------------------------------ invariants

    @invariant()
    def check_server(self) -> None:
        reports = {str(r.pk): r for r in Report.objects.all()}
        outreach = {str(o.pk): o for o in Outreach.objects.all()}
        held = set(reports) | set(outreach)
        # Nothing twice, nothing invented, nothing that reached the server lost.
        assert len(held) == len(reports) + len(outreach) == len(self.reached)
        assert held == self.reached
        for record_id in self.reached:
            rec = self.made[record_id]
            if rec.kind == "report":
                assert reports[record_id].place == rec.payload["place"]
                assert reports[record_id].reporter.username == rec.user
            else:
                assert outreach[record_id].place == rec.payload["place"]
        acked = {r.id for r in self.made.values() if r.acked}
        assert acked <= held, "a record the phone was told is sent is missing"
        # Photos: one row per photo that reached the server, none orphaned.
        rows = list(ReportPhoto.objects.values_list("report_id", "image")) + list(
            OutreachPhoto.objects.values_list("outreach_id", "image")
        )
        per_record: dict[str, int] = {}
        for owner, _image in rows:
            assert str(owner) in held
            per_record[str(owner)] = per_record.get(str(owner), 0) + 1
        expected = {rid: len(indices) for rid, indices in self.photos_reached.items() if indices}
        assert per_record == expected
        on_disk = {
            str(p.relative_to(self.media))
            for p in Path(self.media).rglob("*")
            if p.is_file() and PARTIAL_DIR not in p.relative_to(self.media).parts
        }
        assert on_disk == {image for _owner, image in rows}, "a photo file without its row, or a row without file"
        # The bytes kept are the bytes the phone sent (hash of the original).
        sent = {hashlib.sha256(b).hexdigest() for r in self.made.values() for b in r.photos}
        kept = set(ReportPhoto.objects.values_list("sha256", flat=True)) | set(
            OutreachPhoto.objects.values_list("sha256", flat=True)
        )
        assert kept <= sent
        # Partial bytes only for uploads still under way, each as long as its offset.
        partial = Path(self.media) / PARTIAL_DIR
        parts = {}
        for p in partial.rglob("*.part") if partial.exists() else []:
            owner = p.parent.name if p.parent != partial else p.name.removesuffix(".part")
            parts[owner] = parts.get(owner, 0) + p.stat().st_size
        open_uploads = {str(u.pk): u.offset for u in Upload.objects.filter(completed_at__isnull=True)}
        assert set(parts) <= set(open_uploads)
        assert all(parts[name] == open_uploads[name] for name in parts)


@pytest.mark.django_db
def test_sync_loses_nothing_and_makes_nothing_twice(demo, api_token):
    SyncMachine.phones_by_name = {
        "cg1-a": Phone("cg1", api_token(demo.users["cg1"])),
        "cg1-b": Phone("cg1", api_token(demo.users["cg1"])),
        "cun1": Phone("cun1", api_token(demo.users["cun1"])),
    }
    SyncMachine.areas = {"cg1": str(demo.townships[0].pk), "cun1": str(demo.villages[1].pk)}
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
