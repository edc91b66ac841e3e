"""Reminders (SPEC §10, issue 24; glossary 待办清单 ``DueList``, 提醒 ``Reminder``,
提醒规则 ``ReminderRule``, 提醒渠道 ``ReminderChannel``).

What is due comes from every app's ``DueSource`` (xieguan.core.registry);
``sending.plan`` turns what is due into ``Reminder`` rows, one per item,
stage, person and channel (unique, so a rerun never makes a second), and
``sending.deliver`` sends the pending ones outside any web request."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class ChannelKind(models.TextChoices):
    INBOX = "inbox", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WECOM = "wecom", "企业微信群机器人"


class Stage(models.TextChoices):
    BEFORE = "before", "到期提醒"
    OVERDUE = "overdue", "已逾期"
    SUPERVISOR = "supervisor", "逾期升级：责任监督员"
    LEADER = "leader", "逾期升级：领导"
    DIGEST = "digest", "每日汇总"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（将重试）"
    GAVE_UP = "gave_up", "发送失败（已放弃）"


class ReminderRuleQuerySet(ScopedQuerySet["ReminderRule"]):
    pass


class ReminderRule(BaseModel):
    """A county's reminder rule: which kinds are reminded, how long before
    the due time (working days), quiet hours, escalation, digest."""

    county = models.OneToOneField(
        "areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="reminder_rule"
    )
    kinds = models.JSONField("提醒的事项类型", default=list, blank=True, help_text="空：全部类型")
    lead_days = models.PositiveSmallIntegerField("提前几个工作日提醒", default=1)
    quiet_start = models.TimeField("免打扰开始", default="21:00")
    quiet_end = models.TimeField("免打扰结束", default="08:00")
    escalate_after_days = models.PositiveSmallIntegerField("逾期几天后升级", default=2)
    expiry_days = models.PositiveSmallIntegerField("证照到期前几天列入待办", default=30)
    digest = models.BooleanField("每日汇总代替单条消息", default=False)
    channels = models.JSONField("发送渠道", default=list, blank=True, help_text="空：站内消息")

    objects = ReminderRuleQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = "提醒规则"
        verbose_name_plural = "提醒规则"

    def __str__(self) -> str:
        return f"{self.county} 提醒规则"


class ReminderChannelQuerySet(ScopedQuerySet["ReminderChannel"]):
    pass


class ReminderChannel(BaseModel):
    """Where a county's (or one township's) messages go out: the SMS
    gateway, a WeCom group robot. ``secret`` (the gateway key, the robot's
    key) is stored and never shown back."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="县或乡镇", on_delete=models.CASCADE, related_name="reminder_channels"
    )
    kind = models.CharField("类型", max_length=10, choices=ChannelKind.choices)
    url = models.URLField("地址", max_length=500, blank=True)
    secret = models.CharField("密钥", max_length=500, blank=True)
    template = models.CharField("短信模板", max_length=200, blank=True, default="{label}，截止{due}。")
    signature = models.CharField("短信签名", max_length=20, blank=True)
    enabled = models.BooleanField("启用", default=True)

    objects = ReminderChannelQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "提醒渠道"
        verbose_name_plural = "提醒渠道"
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

    item_key = models.CharField("事项", max_length=120)
    kind = models.CharField("类型", max_length=30)
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提醒对象", on_delete=models.CASCADE, related_name="reminders"
    )
    area = models.ForeignKey("areas.Area", verbose_name="地区", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=ChannelKind.choices)
    label = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    due = models.DateTimeField("截止时间")
    status = models.CharField("状态", max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_try = models.DateTimeField("下次尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)

    objects = ReminderQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
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
