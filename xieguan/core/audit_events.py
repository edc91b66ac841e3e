"""The audit events core itself records: sign-ins (``audit_login``) and
photos kept by ``photos.save_photo_once``. Registered in CoreConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Sign-in and shared records"),
    {
        "session.login": _("Signed in"),
        "session.logout": _("Signed out"),
        "session.login_failed": _("Failed sign-in"),
        "session.locked_out": _("Account locked"),
        "photo.add": _("Photo added"),
    },
)
