"""The sync API under generated trouble (issue 10, "nothing lost, nothing
twice"): several phones of two users make reports and publicity records with
photos and send them through the reports and outreach endpoints; any send
may be cut before a request leaves or after the server committed it (the
answer lost), and any record may be sent again from another tab of the same
user. After every step: every record the server committed exists once and
holds what the phone sent, every answer the phone received is the record's
original answer, every photo row belongs to its record and every file on disk
to a photo row. At the end every phone sends what it still holds, with no
cuts, and the server holds exactly what the phones made."""

from __future__ import annotations

import datetime
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

    def _do(self, phone: Phone, rec: Made, step: tuple[str, int | None], *, answer_lost: bool) -> bool:
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
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(f"{uuid.uuid4()}.jpg", rec.photos[index], content_type="image/jpeg")
        response = client.post(f"{self._url(rec)}/{rec.id}/photos", {"image": upload}, **phone.headers)
        first = index not in self.photos_reached.setdefault(rec.id, set())
        assert response.status_code == (201 if first else 200), response.content
        self.photos_reached[rec.id].add(index)
        if not answer_lost:
            rec.acked_photos.add(index)
        return True

    def send(self, phone: Phone, rec: Made, *, cut_at: int | None, cut: str) -> None:
        for position, step in enumerate(self._requests(rec)):
            if position == cut_at:
                if cut == "after":
                    self._do(phone, rec, step, answer_lost=True)
                return
            if not self._do(phone, rec, step, answer_lost=False):
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
        self.made[record_id] = Made(record_id, user, kind, payload, shots)
        return record_id

    @rule(
        record_id=records,
        tab=st.sampled_from(["a", "b"]),
        cut_at=st.none() | st.integers(0, 3),
        cut=st.sampled_from(["before", "after"]),
    )
    def send_from_a_phone(self, record_id: str, tab: str, cut_at: int | None, cut: str) -> None:
        rec = self.made[record_id]
        phone = self.phones_by_name["cun1"] if rec.user == "cun1" else self.phones_by_name[f"cg1-{tab}"]
        self.send(phone, rec, cut_at=cut_at, cut=cut)

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
        on_disk = {str(p.relative_to(self.media)) for p in Path(self.media).rglob("*") if p.is_file()}
        assert on_disk == {image for _owner, image in rows}, "a photo file without its row, or a row without file"


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
