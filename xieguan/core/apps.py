from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xieguan.core"
    label = "core"
    verbose_name = "core"

    def ready(self) -> None:
        from xieguan.core import audit_login  # noqa: F401  (login events → audit log)
