"""The cleanups run without anyone scheduling them: `make run` starts
`manage.py run_periodic` beside the worker; it enqueues each job of
PERIODIC_TASKS when due and the worker runs it (issue 17, finding 7)."""

from __future__ import annotations

import datetime
import io
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from xieguan.core.periodic import enqueue_due, periodic_jobs

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
PRUNES = {
    "xieguan.complaints.tasks.pending_photos_prune_task",
    "xieguan.field.tasks.uploads_prune_task",
    "xieguan.core.tasks.audit_prune",
}


def test_every_prune_job_is_a_periodic_task():
    jobs = periodic_jobs()
    assert PRUNES <= {job.path for job in jobs}
    for job in jobs:
        assert isinstance(job.task, Task)
        assert job.every >= datetime.timedelta(minutes=5)


def test_make_run_starts_the_schedule_beside_the_worker():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py db_worker" in run and "manage.py run_periodic" in run


def test_a_job_is_enqueued_when_first_seen_and_again_only_after_its_interval(settings):
    settings.PERIODIC_TASKS = {
        "xieguan.complaints.tasks.pending_photos_prune_task": 3600,
        "xieguan.core.tasks.audit_prune": 24 * 3600,
    }
    jobs, last = periodic_jobs(), {}
    start = timezone.now()
    assert len(enqueue_due(jobs, last=last, now=start)) == 2
    assert enqueue_due(jobs, last=last, now=start + datetime.timedelta(minutes=59)) == []
    assert enqueue_due(jobs, last=last, now=start + datetime.timedelta(minutes=60)) == [
        "xieguan.complaints.tasks.pending_photos_prune_task"
    ]
    assert len(enqueue_due(jobs, last=last, now=start + datetime.timedelta(days=1))) == 2
    counts = {path: DBTaskResult.objects.filter(task_path=path).count() for path in settings.PERIODIC_TASKS}
    assert counts == {"xieguan.complaints.tasks.pending_photos_prune_task": 3, "xieguan.core.tasks.audit_prune": 2}


def test_the_worker_prunes_what_is_old_and_keeps_what_is_fresh(
    demo, comanager_in, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from PIL import Image

    from xieguan.complaints import services as complaints
    from xieguan.complaints.models import PendingUpload
    from xieguan.core.photos import prepare_photo
    from xieguan.core.storage import put_exact
    from xieguan.field.models import Upload
    from xieguan.field.services import partial_chunks, partial_folder

    settings.MEDIA_ROOT = tmp_path
    photos = []
    for colour in ("red", "blue"):
        buf = io.BytesIO()
        Image.new("RGB", (60, 40), colour).save(buf, format="JPEG")
        buf.seek(0)
        photos.append(prepare_photo(buf))
    old_kept, fresh_kept = complaints.pending_uploads_keep(owner=complaints.pending_owner_key("v"), photos=photos)
    PendingUpload.objects.filter(pk=old_kept.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))

    def upload(expires_in: datetime.timedelta) -> Upload:
        made = Upload.objects.create(
            created_by=comanager_in,
            target="report_photo",
            record_id=uuid.uuid4(),
            length=10,
            offset=3,
            sha256="0" * 64,
            content_type="image/jpeg",
            expires_at=timezone.now() + expires_in,
        )
        put_exact(f"{partial_folder(made)}/000000000000.part", b"abc")
        return made

    old_upload, live_upload = upload(-datetime.timedelta(hours=1)), upload(datetime.timedelta(days=1))

    call_command("run_periodic", "--once", stdout=io.StringIO())
    # The real worker, in the test's transaction: its between-tasks check
    # would close the connection that transaction lives on (a transactional
    # test instead would flush the seeded rows for the tests after it).
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", verbosity=0)

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh_kept.pk]
    assert not (tmp_path / old_kept.image.name).exists() and (tmp_path / fresh_kept.image.name).exists()
    assert list(Upload.objects.values_list("pk", flat=True)) == [live_upload.pk]
    assert not partial_chunks(old_upload) and partial_chunks(live_upload)
