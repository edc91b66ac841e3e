"""Documents the app hands out: PDF and Excel, one way each.

PDF: WeasyPrint renders a Django template that extends ``core/pdf/base.html``;
the CJK font (Noto Sans SC, from the app's own static files) is embedded, and
WeasyPrint may read only the app's static files and media — never the network,
because government networks are closed and a PDF must not wait on one.

Excel: XlsxWriter (through ``core.spreadsheets``, which keeps text from
becoming formulas or links) in ``constant_memory`` mode writes each row to disk as it
comes, so an export of 300,000 rows keeps memory flat; the finished file is
streamed from a temporary file that is deleted once sent.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header

from xieguan.core.display import date_label, yes_no

logger = logging.getLogger(__name__)

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT_FILES = {
    400: "vendor/fonts/noto-sans-sc-chinese-simplified-400-normal.woff2",
    700: "vendor/fonts/noto-sans-sc-chinese-simplified-700-normal.woff2",
}


class DocumentError(Exception):
    """The document could not be made; ``str(exc)`` is for the log, not the user."""


def _font_cache() -> Path:
    return Path(settings.VAR_DIR).resolve() / "cache" / "fonts"


# Stored files (photos, signatures) reach a PDF as media:<storage name> and
# are read through the storage (disk or bucket), never as local paths.
MEDIA_SCHEME = "media"
MAX_MEDIA_IN_PDF = 25 * 1024 * 1024
# A photo shown as a thumbnail in a PDF (the unit file's album) is embedded
# at most this many pixels on its long side, re-encoded as JPEG: enough for
# a picture a few centimetres wide printed at 200 dpi, and a tenth of the
# stored 1600 px photo's bytes.
THUMB_SCHEME = "media-thumb"
THUMB_SIDE = 480
THUMB_QUALITY = 70


def _allowed_roots() -> list[Path]:
    roots = [_font_cache()]
    for finder_root in (Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])):
        roots.append(finder_root)
    roots.append(Path(settings.STATIC_ROOT).resolve())
    roots.append(Path(__file__).resolve().parent / "static")
    return roots


def _checked_path(url: str) -> Path:
    """The local file behind ``url``, when it is under static or media."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise DocumentError(f"refused to fetch {url!r}: documents use local files only")
    path = Path(unquote(parsed.path)).resolve()
    if not any(path.is_relative_to(root) for root in _allowed_roots()):
        raise DocumentError(f"refused to read {path}: outside static and media")
    return path


def _local_fetcher() -> Any:
    """A WeasyPrint fetcher that reads only files under the app's static and
    media roots; anything else is refused (and left out of the document)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return URLFetcherResponse(url, _data_bytes(url))
            if url.startswith(f"{THUMB_SCHEME}:"):
                return URLFetcherResponse(url, _thumbnail(_stored_bytes(url, scheme=THUMB_SCHEME)))
            if url.startswith(f"{MEDIA_SCHEME}:"):
                return URLFetcherResponse(url, _stored_bytes(url))
            path = _checked_path(url)
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return LocalFetcher(allowed_protocols=["file", MEDIA_SCHEME, THUMB_SCHEME])


def _plain_font(found: Path) -> Path:
    """The font as a plain TrueType file, made once from the vendored woff2.
    WeasyPrint would otherwise unpack the woff2 for every PDF, and fontTools
    rebuilds a CJK font's 20,000 glyphs in pure Python: a minute a PDF.
    The font keeps its own date (``recalcTimestamp=False``): made at any
    moment, by any process, the file is the same bytes, so a PDF is too."""
    stat = found.stat()
    target = _font_cache() / f"{found.stem}-{stat.st_size}-{int(stat.st_mtime)}.ttf"
    if not target.exists():
        from fontTools.ttLib import TTFont

        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(str(found), recalcTimestamp=False)
        font.flavor = None
        partial = target.with_suffix(f".{os.getpid()}.part")
        font.save(str(partial))
        partial.replace(target)  # atomic: a parallel render never reads half a font
    return target


def font_urls() -> dict[int, str]:
    """file:// addresses of the embedded CJK font, by weight."""
    urls = {}
    for weight, name in FONT_FILES.items():
        found = finders.find(name)
        if not found:
            raise DocumentError(f"font {name} is missing: run `make assets`")
        urls[weight] = _plain_font(Path(str(found)).resolve()).as_uri()
    return urls


def _data_bytes(url: str) -> bytes:
    """The picture a ``data:image/...;base64,`` address carries in itself (a
    chart drawn for the document): nothing is fetched; anything else refused."""
    import base64
    import binascii

    head, _comma, payload = url.partition(",")
    if not re.fullmatch(r"data:image/(png|jpeg);base64", head) or len(payload) > MAX_MEDIA_IN_PDF * 4 // 3 + 4:
        raise DocumentError("refused a data: address that is not a base64 PNG or JPEG")
    try:
        return base64.b64decode(payload, validate=True)
    except binascii.Error as error:
        raise DocumentError("a data: address that is not base64") from error


def _stored_bytes(url: str, *, scheme: str = MEDIA_SCHEME) -> bytes:
    """The bytes of the stored file a media: address names, read through
    the storage; a name that is not one we write is refused."""
    from xieguan.core.storage import read_bytes

    name = unquote(url[len(scheme) + 1 :])
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in name:
        raise DocumentError(f"refused to read stored file {name!r}")
    return read_bytes(name, limit=MAX_MEDIA_IN_PDF)


def media_uri(name: str) -> str:
    """The address of a stored file for <img> in a PDF template: read
    through the storage by the PDF's fetcher, wherever the file lives."""
    return f"{MEDIA_SCHEME}:{quote(name)}"


def _thumbnail(raw: bytes) -> bytes:
    """A stored photo made small for a PDF: at most ``THUMB_SIDE`` pixels on
    its long side, JPEG. The same photo always gives the same bytes."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(raw)) as image:
        image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))  # JPEG: decode at a fraction of the size
        small = image.convert("RGB")
        small.thumbnail((THUMB_SIDE, THUMB_SIDE))
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=THUMB_QUALITY, optimize=True)
    return out.getvalue()


def media_thumb_uri_if_stored(field_file: Any) -> str | None:
    """Like ``media_uri_if_stored``, for a photo embedded as a thumbnail:
    the PDF's fetcher reads it and shrinks it (``THUMB_SIDE``) before
    WeasyPrint puts it in the document."""
    uri = media_uri_if_stored(field_file)
    return None if uri is None else THUMB_SCHEME + uri[len(MEDIA_SCHEME) :]


def media_uri_if_stored(field_file: Any) -> str | None:
    """``media_uri`` of a stored file, or None when its file is missing (the
    template then prints a placeholder instead of the picture)."""
    name = getattr(field_file, "name", "") or ""
    if not name or not field_file.storage.exists(name):
        return None
    return media_uri(name)


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=_font_cache().as_uri() + "/", url_fetcher=_local_fetcher())
    return document.write_pdf()


# What a file name may not hold on the machines people save to (Windows'
# reserved characters, controls); each run becomes one space.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def download_name(kind: str, *parts: str | datetime.date | None, ext: str) -> str:
    """The name a download is saved as: what it is, whose, and when, joined
    with ``-``, e.g. ``检查记录-城关红星浴室-2026年12月6日.pdf``. A date or a
    moment is written the Chinese way, a moment on its day in the county's
    time zone (never UTC's); empty parts are left out. Sent with
    ``download_header`` (RFC 6266 ``filename*``), so the Chinese survives."""
    words = [kind]
    for part in parts:
        if isinstance(part, datetime.date):
            words.append(date_label(part))
        elif part:
            words.append(str(part))
    stem = "-".join(_NOT_IN_FILE_NAMES.sub(" ", word).strip() for word in words if word)
    return f"{stem[:150]}.{ext}"


def download_header(filename: str, *, inline: bool = False) -> str:
    """``Content-Disposition`` for a download named ``filename``: a name in
    Chinese goes as RFC 6266's ``filename*=utf-8''…``, which every browser
    reads (Django's ``content_disposition_header``)."""
    return content_disposition_header(not inline, filename) or ""


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """Render a template that extends ``core/pdf/base.html`` to PDF bytes."""
    context = {**context, "pdf_fonts": font_urls(), "pdf_made_at": timezone.localtime()}
    html = render_to_string(template_name, context, request=request)
    # A PDF asked for while the process is still warming up waits for it
    # (then finds everything ready) rather than load the font a second time.
    with _warming:
        pass
    return _write_pdf(html)


# The first PDF of a process took 5.3 s and the next 0.12 s: importing
# WeasyPrint, fontconfig's first scan and loading the CJK font's two weights
# into Pango. ``pdf_warm_up`` does all of it once, on a one-line document in
# both weights; the web server calls it in a background thread when it
# starts (config/wsgi.py), so neither ``manage.py`` nor the tests pay it.
_warming = threading.Lock()
_WARM_UP_HTML = '{% extends "core/pdf/base.html" %}{% block body %}<h1>卫生监督协管</h1><p>巡查登记表 0123</p>{% endblock %}'  # i18n: data — sample CJK glyphs that load the font, never shown


def pdf_warm_up() -> float:
    """Make one small PDF with the CJK font so the next one is quick; the
    seconds it took."""
    from django.template import engines

    started = time.perf_counter()
    with _warming:
        context = {"pdf_fonts": font_urls(), "pdf_made_at": timezone.localtime()}
        _write_pdf(engines["django"].from_string(_WARM_UP_HTML).render(context))
    return time.perf_counter() - started


def _warm_up_quietly() -> None:
    try:
        seconds = pdf_warm_up()
    except Exception:  # a missing font must not stop the server: the first PDF will say so
        logger.exception("the PDF warm-up failed")
    else:
        logger.info("PDF font prepared in %.2f s", seconds)


def pdf_warm_up_in_background() -> threading.Thread:
    """Start ``pdf_warm_up`` in a daemon thread and return it."""
    thread = threading.Thread(target=_warm_up_quietly, name="pdf-warm-up", daemon=True)
    thread.start()
    return thread


def pdf_response(
    template_name: str,
    context: dict[str, Any],
    filename: str,
    *,
    request: HttpRequest | None = None,
    inline: bool = True,
) -> HttpResponse:
    """The PDF as a response; ``inline`` opens it in the browser to print."""
    response = HttpResponse(render_pdf(template_name, context, request=request), content_type=PDF_TYPE)
    response["Content-Disposition"] = download_header(filename, inline=inline)
    return response


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def write_xlsx(
    target: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    title: str | None = None,
    widths: Sequence[int] | None = None,
) -> int:
    """Write rows to ``target`` (a path or file) with constant memory; returns
    how many rows were written. A ``title`` goes above the header, merged, as
    the national registers (登记表) print it."""
    from xieguan.core.spreadsheets import new_workbook

    book = new_workbook(target, constant_memory=True, in_memory=False, tmpdir=tempfile.gettempdir())
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    heading = book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
    for column, width in enumerate(widths or [max(10, min(40, len(h) * 2 + 4)) for h in headers]):
        ws.set_column(column, column, width)
    row_no = 0
    if title:
        ws.merge_range(0, 0, 0, max(len(headers) - 1, 0), title, heading)
        ws.set_row(0, 28)
        row_no = 1
    ws.write_row(row_no, 0, list(headers), bold)
    ws.freeze_panes(row_no + 1, 0)
    written = 0
    for values in rows:
        row_no += 1
        ws.write_row(row_no, 0, [_cell(v) for v in values], cell)
        written += 1
    book.close()
    return written


def xlsx_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    title: str | None = None,
    widths: Sequence[int] | None = None,
) -> FileResponse:
    """An .xlsx download written row by row to a temporary file and streamed
    from it, so memory stays flat however long ``rows`` is (pass a queryset's
    ``.iterator()`` or a generator)."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(spool, headers, rows, sheet=sheet, title=title, widths=widths)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
