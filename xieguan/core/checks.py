"""System checks of our own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.staticfiles, deploy=True)
def static_files_collected(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Production serves the collected, fingerprinted files: serving them from
    the apps (the embedded default) rescans the folders on every request and
    sends nothing a browser may cache for long."""
    if not settings.STATIC_FROM_APPS:
        return []
    return [
        Warning(
            "Static files are served from the apps (STATIC_FROM_APPS is on).",
            hint="Run `manage.py collectstatic` and set STATIC_FROM_APPS=0 (docs/deploy.md).",
            id="xieguan.W001",
        )
    ]
