import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Prepare WeasyPrint and the CJK font while the server waits for its first
# request, so the first PDF is as quick as the rest (xieguan.core.documents).
from xieguan.core.documents import pdf_warm_up_in_background  # noqa: E402

pdf_warm_up_in_background()
