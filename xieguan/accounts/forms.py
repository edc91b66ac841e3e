from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Education, Institution, InstitutionType, RoleCode, User
from xieguan.accounts.pickers import InstitutionPicker, PersonPicker, person_label
from xieguan.areas.models import Area
from xieguan.core.display import with_note
from xieguan.core.forms import DateInput


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. After 5 wrong tries the account is locked for 15 minutes."
        ),
        "inactive": _("This account has been deactivated."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class InstitutionChoiceField(forms.ModelChoiceField):
    """An institution of the user's area, picked by searching its name."""

    widget = InstitutionPicker

    def label_from_instance(self, obj: Institution) -> str:
        return with_note(obj.name, obj.get_type_display())


class PersonChoiceField(forms.ModelChoiceField):
    """A person of the user's area, picked by searching their name."""

    widget = PersonPicker

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return with_note(obj.name, obj.get_level_display())


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    type = forms.ChoiceField(label=_("Type"), choices=InstitutionType.choices)
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())
    host = forms.CharField(
        label=_("Host"),
        max_length=100,
        required=False,
        help_text=_("e.g. the township health centre that runs the station"),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput())
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.visible_to(user).active().filter(level__gte=3).in_code_order()
        # An institution keeps its area and type; only its details change.
        self.fields["area"].disabled = self.fields["type"].disabled = editing


class SupervisorForm(forms.Form):
    responsible_supervisor = PersonChoiceField(
        label=_("Responsible supervisor"),
        queryset=User.objects.none(),
        required=False,
        widget=PersonPicker(roles=(RoleCode.SUPERVISOR,)),
    )

    def __init__(self, *args: Any, user: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ancestors = [p for p in institution.area.ancestor_ids()]
        self.fields["responsible_supervisor"].queryset = (
            User.objects.visible_to(user)
            .with_role(RoleCode.SUPERVISOR)
            .filter(is_active=True)
            .filter(institution__area__id__in=ancestors)
            .select_related("institution")
            .order_by("username")
        )
        self.fields["responsible_supervisor"].widget.narrow(above=institution.area)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=RoleCode.choices, widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)
    major = forms.CharField(
        label=_("Major"), max_length=50, required=False, help_text=_("e.g. clinical medicine, public health")
    )
    title = forms.CharField(
        label=_("Professional title"), max_length=50, required=False, help_text=_("e.g. physician, technician")
    )
    is_full_time = forms.BooleanField(label=_("Full-time"), required=False)
    appointed_on = forms.DateField(label=_("Appointed on"), required=False, widget=DateInput())
    appointment_doc_no = forms.CharField(label=_("Appointment document no."), max_length=50, required=False)
    inspection_card_no = forms.CharField(label=_("Inspection certificate no."), max_length=50, required=False)
    health_status = forms.CharField(label=_("Health"), max_length=50, required=False)


class PersonCreateForm(ProfileForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 10 characters mixing letters, digits and symbols; the person should change it at first sign-in."
        ),
    )
    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.none())

    field_order = ["username", "password", "institution", "full_name", "roles"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.visible_to(user).active().order_by("type", "name")


class InstitutionPickForm(forms.Form):
    """One institution of ``queryset`` picked by searching (a register's
    institution); the page itself checks what it is sent against the scope."""

    institution = InstitutionChoiceField(label=_("Institution"), queryset=Institution.objects.none())

    def __init__(self, *args: Any, queryset: Any, types: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        field.queryset = queryset  # type: ignore[attr-defined]
        field.widget = InstitutionPicker(types=types)
        field.widget.choices = field.choices  # type: ignore[attr-defined]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class MoveForm(forms.Form):
    institution = InstitutionChoiceField(label=_("New institution"), queryset=Institution.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.visible_to(user).active().order_by("type", "name")


class TransferForm(MoveForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    decision_note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing."),
    )


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
    )
