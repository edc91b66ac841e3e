"""Reminders (SPEC §10, issue 24; glossary 待办清单 ``DueList``, 提醒 ``Reminder``,
提醒规则 ``ReminderRule``, 提醒渠道 ``ReminderChannel``).

What is due comes from every app's ``DueSource`` (xieguan.core.registry);
``sending.plan`` turns what is due into ``Reminder`` rows, one per item,
stage, person and channel (unique, so a rerun never makes a second), and
``sending.deliver`` sends the pending ones outside any web request."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


def message_language(person: object = None) -> str:
    """The language a reminder is written and sent in. People record no
    language of their own, so it is the product's default (Chinese), whatever
    language the page or thread that triggered the sending had active."""
    return settings.LANGUAGE_CODE


def default_sms_template() -> str:
    """A new SMS channel's template, in the language messages are sent in."""
    with translation.override(message_language()):
        return gettext("{label}, due {due}.")


class ChannelKind(models.TextChoices):
    INBOX = "inbox", _("in-app message")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group robot")


class Stage(models.TextChoices):
    BEFORE = "before", _("reminder before the due time")
    OVERDUE = "overdue", _("overdue")
    SUPERVISOR = "supervisor", _("overdue, escalated to the responsible supervisor")
    LEADER = "leader", _("overdue, escalated to the leader")
    DIGEST = "digest", _("daily digest")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", pgettext_lazy("reminder status", "sent")
    FAILED = "failed", _("not sent (will be retried)")
    GAVE_UP = "gave_up", _("not sent (given up)")


class ReminderRuleQuerySet(ScopedQuerySet["ReminderRule"]):
    pass


class ReminderRule(BaseModel):
    """A county's reminder rule: which kinds are reminded, how long before
    the due time (working days), quiet hours, escalation, digest."""

    county = models.OneToOneField(
        "areas.Area",
        verbose_name=pgettext_lazy("reminder rule", "county"),
        on_delete=models.CASCADE,
        related_name="reminder_rule",
    )
    kinds = models.JSONField(_("kinds of item reminded"), default=list, blank=True, help_text=_("empty: all kinds"))
    lead_days = models.PositiveSmallIntegerField(_("working days of notice before the due time"), default=1)
    quiet_start = models.TimeField(_("quiet hours start"), default="21:00")
    quiet_end = models.TimeField(_("quiet hours end"), default="08:00")
    escalate_after_days = models.PositiveSmallIntegerField(_("days overdue before escalating"), default=2)
    expiry_days = models.PositiveSmallIntegerField(_("days before expiry a licence or certificate is due"), default=30)
    digest = models.BooleanField(_("daily digest instead of single messages"), default=False)
    channels = models.JSONField(_("sending channels"), default=list, blank=True, help_text=_("empty: in-app messages"))

    objects = ReminderRuleQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self) -> str:
        return gettext("%(county)s reminder rule") % {"county": self.county}


class ReminderChannelQuerySet(ScopedQuerySet["ReminderChannel"]):
    pass


class ReminderChannel(BaseModel):
    """Where a county's (or one township's) messages go out: the SMS
    gateway, a WeCom group robot. ``secret`` (the gateway key, the robot's
    key) is stored and never shown back."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("county or township"), on_delete=models.CASCADE, related_name="reminder_channels"
    )
    kind = models.CharField(_("channel type"), max_length=10, choices=ChannelKind.choices)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    secret = models.CharField(_("secret key"), max_length=500, blank=True)
    template = models.CharField(_("SMS template"), max_length=200, blank=True, default=default_sms_template)
    signature = models.CharField(_("SMS signature"), max_length=20, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = ReminderChannelQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("reminder channel")
        verbose_name_plural = _("reminder channels")
        constraints = [models.UniqueConstraint(fields=["area", "kind"], name="reminder_channel_area_kind")]

    def __str__(self) -> str:
        return f"{self.area} {self.get_kind_display()}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)


class ReminderQuerySet(ScopedQuerySet["Reminder"]):
    def for_list(self) -> ReminderQuerySet:
        return self.select_related("person", "area")


class Reminder(BaseModel):
    """One message about one due item at one stage to one person (or, for a
    WeCom group, to the township's group) by one channel: sent once."""

    item_key = models.CharField(_("due item"), max_length=120)
    kind = models.CharField(_("kind of due item"), max_length=30)
    stage = models.CharField(_("reminder stage"), max_length=12, choices=Stage.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person reminded"), on_delete=models.CASCADE, related_name="reminders"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("reminder", "area"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(pgettext_lazy("reminder", "channel"), max_length=10, choices=ChannelKind.choices)
    label = models.CharField(_("message text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    due = models.DateTimeField(_("due time"))
    status = models.CharField(
        _("sending status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = ReminderQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["item_key", "stage", "person", "channel"], name="reminder_once_per_item_stage_person_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_try"], name="reminder_status_next_idx"),
            models.Index(fields=["person", "channel", "-created_at"], name="reminder_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.person} ({self.channel})"
