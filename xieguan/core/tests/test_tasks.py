import datetime

from django.core.management import call_command
from django.utils import timezone

from xieguan.core.models import AuditEvent
from xieguan.core.tasks import audit_prune


def _event(days_ago: int) -> AuditEvent:
    event = AuditEvent.objects.create(action="login", actor_username=f"u{days_ago}")
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - datetime.timedelta(days=days_ago))
    return event


def test_prune_keeps_at_least_180_days_whatever_the_setting(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    kept, also_kept, gone = _event(10), _event(179), _event(181)
    assert audit_prune.call() == 1
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, also_kept.pk}
    assert gone.pk not in remaining


def test_prune_command_and_enqueue(db, capsys):
    _event(400)
    call_command("prune_audit")
    assert "deleted 1" in capsys.readouterr().out
    call_command("prune_audit", "--enqueue")
    assert "enqueued" in capsys.readouterr().out
