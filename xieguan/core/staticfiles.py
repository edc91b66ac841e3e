"""Static files in production: WhiteNoise's compressed, fingerprinted
storage, which here also rewrites the relative addresses in our ES module
imports (``from "./outbox.js"``) to the fingerprinted names. Without that a
module would load its imports under their plain names, which the field
app's service worker has not kept, and /m/ would not open offline.

Only our own apps' scripts are rewritten: Django's built-in switch for this
(``support_js_module_import_aggregation``) reads every script, and trips on
a third-party one that imports a bare package name."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from whitenoise.storage import CompressedManifestStaticFilesStorage

# `import { a, b } from "./outbox.js";` — the one form of import our modules use.
MODULE_IMPORT = (
    r"""(?P<matched>(?P<head>import\s*\{[^}]*\}\s*from\s*)"(?P<url>\.{1,2}/[^"]+)";)""",
    '%(head)s"%(url)s";',
)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns: tuple[Any, ...]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        ours = [f"{config.label}/*.js" for config in apps.get_app_configs() if config.name.startswith("xieguan.")]
        self.patterns = (*self.patterns, *((glob, (MODULE_IMPORT,)) for glob in ours))
        super().__init__(*args, **kwargs)
