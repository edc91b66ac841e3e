"""Institutions and people (SPEC §1, §2): a user belongs to one institution,
whose area is the user's scope, and has one or more roles."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class RoleCode(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    COUNTY_LEADER = "county_leader", _("county leader")
    SUPERVISOR = "supervisor", _("supervisor")
    COMANAGER = "comanager", _("co-manager")
    INFO_OFFICER = "info_officer", _("information officer")
    HIGHER_READONLY = "higher_readonly", _("higher level (read-only)")
    # The health centre's head, the station's responsible leader (SPEC §1's
    # table): sees their township's people, their due lists rolled up.
    TOWNSHIP_LEADER = "township_leader", _("township leader")


class Role(models.Model):
    """One of the fixed roles of SPEC §2; rows are made by a data migration so
    that users can hold several roles through an ordinary many-to-many."""

    code = models.CharField(max_length=32, primary_key=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)


class InstitutionType(models.TextChoices):
    BUREAU = "bureau", _("county health bureau")
    INSTITUTE = "institute", _("county health supervision institute")
    STATION = "station", _("co-management station")
    INFO_POINT = "info_point", _("information point")


# The area levels each type of institution sits at: health bureaus and
# supervision institutes at county level and above, stations in townships,
# information points in villages.
INSTITUTION_LEVELS = {
    InstitutionType.BUREAU: frozenset({1, 2, 3}),
    InstitutionType.INSTITUTE: frozenset({1, 2, 3}),
    InstitutionType.STATION: frozenset({4}),
    InstitutionType.INFO_POINT: frozenset({5}),
}


class InstitutionQuerySet(ScopedQuerySet["Institution"]):
    def active(self) -> InstitutionQuerySet:
        return self.filter(closed_on__isnull=True)

    def existing_in(self, start: Any, end: Any) -> InstitutionQuerySet:
        """Institutions that existed at some point between two dates."""
        return self.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=end)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=start)
        )


class Institution(BaseModel):
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=16, choices=InstitutionType.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="institutions"
    )
    host = models.CharField(
        _("host"),
        max_length=100,
        blank=True,
        help_text=_("e.g. the township health centre that runs the station"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    responsible_supervisor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("responsible supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for",
        help_text=_("the county supervisor assigned to this township"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = InstitutionQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "type", "name"], name="institution_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.closed_on is None


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("postgraduate")
    BACHELOR = "bachelor", _("bachelor")
    COLLEGE = "college", _("junior college")
    SECONDARY = "secondary", _("secondary vocational")
    OTHER = "other", _("other")


class UserQuerySet(ScopedQuerySet["User"]):
    def with_role(self, code: str) -> UserQuerySet:
        return self.filter(roles__code=code)


class XieguanUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in. The staff profile (SPEC §1: education, title,
    appointment, inspection certificate, health) lives on the same row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    major = models.CharField(_("major"), max_length=50, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    is_full_time = models.BooleanField(_("full-time"), default=False)
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    appointment_doc_no = models.CharField(_("appointment document no."), max_length=50, blank=True)
    inspection_card_no = models.CharField(_("inspection certificate no."), max_length=50, blank=True)
    health_status = models.CharField(_("health"), max_length=50, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "password_changed_at"], m2m_fields=[])
    objects: ClassVar[XieguanUserManager] = XieguanUserManager()
    scope_lookup = "institution__area__path"
    # Django's own bookkeeping that the audit log need not show.
    audit_exclude = ("first_name", "last_name", "last_login", "date_joined", "password_changed_at", "is_staff")
    audit_mask = {"phone": "phone", "id_number": "id_number"}

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.roles.all())

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    def role_labels(self) -> list[str]:
        return [str(RoleCode(c).label) for c in sorted(self.role_codes)]

    @property
    def masked_phone(self) -> str:
        from xieguan.core.masking import mask_phone

        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        from xieguan.core.masking import mask_id_number

        return mask_id_number(self.id_number)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def password_expired(self, max_age_days: int) -> bool:
        if max_age_days <= 0 or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > datetime.timedelta(days=max_age_days)


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class TransferRequest(BaseModel):
    """Moving a co-manager to another institution (SPEC §1: not without the
    bureau's approval). The move happens when the request is approved."""

    person = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="transfers")
    from_institution = models.ForeignKey(
        Institution, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_institution = models.ForeignKey(Institution, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "from_institution__area__path"

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="one_pending_transfer_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_institution}"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(BaseModel):
    """A bearer token for the API (SPEC §13). Only its hash is stored; it
    expires, and it is revoked on request, on password change and when the
    account is deactivated."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "user__institution__area__path"

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # Named by when it was issued (local time), never by a piece of its key.
        from xieguan.core.display import moment_label

        return _("API token issued %(at)s") % {"at": moment_label(self.created_at, seconds=True)}

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def touch(self, **kwargs: Any) -> None:
        """Record a use, unless one was recorded in the last
        ``API_TOKEN_TOUCH_SECONDS`` (the list of tokens shows the minute)."""
        from django.conf import settings

        now = timezone.now()
        every = datetime.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)
        if self.last_used_at is not None and now - self.last_used_at < every:
            return
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


class SignInLockKind(models.TextChoices):
    ACCOUNT = "account", _("account at an address")
    ADDRESS = "address", _("network address")


class SignInLockQuerySet(ScopedQuerySet["SignInLock"]):
    def active(self) -> SignInLockQuerySet:
        """The locks in force now: not released, cool-off not over."""
        return self.filter(released_at__isnull=True, until__gt=timezone.now())


class SignInLock(BaseModel):
    """A sign-in lock (SPEC §12, issue 17): one user name from one address
    after LOCKOUT_FAILURES failures, or one address after
    LOCKOUT_ADDRESS_FAILURES failures across user names. It lasts a fixed
    cool-off from ``locked_at`` to ``until``, or until an administrator of the
    person's area releases it. An address lock, or a lock on a user name that
    names nobody, belongs to no area: only system administrators see it."""

    kind = models.CharField(_("kind"), max_length=10, choices=SignInLockKind.choices)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    user = models.ForeignKey(
        User, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked at"))
    until = models.DateTimeField(_("locked until"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        User, verbose_name=_("released by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SignInLockQuerySet.as_manager()
    scope_lookup = "user__institution__area__path"

    class Meta:
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        ordering = ["-locked_at"]
        indexes = [models.Index(fields=["ip_address", "until"], name="signin_lock_address_idx")]

    def __str__(self) -> str:
        if self.kind == SignInLockKind.ADDRESS:
            return str(self.ip_address)
        return f"{self.username} @ {self.ip_address}"
