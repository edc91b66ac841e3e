"""An inspection of a targeted unit becomes the target's visit, whichever
way it was made (web form, field app, API): campaigns stands above
inspections, so it listens rather than being called."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from xieguan.inspections.models import Inspection


@receiver(post_save, sender=Inspection, dispatch_uid="campaigns.link_inspection")
def _link(sender: Any, instance: Inspection, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not created or instance.supersedes_id is not None:
        return
    from xieguan.campaigns.services import link_inspection

    with transaction.atomic():
        link_inspection(instance)
