"""The GPS capture and the signature pad exist once (core/geo.js,
core/signature.js), and every page that needs them imports those."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _our_scripts() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in ROOT.glob("*/static/**/*.js")
        if "vendor" not in path.parts
    }


def test_gps_is_captured_in_one_module_only():
    capturing = [name for name, text in _our_scripts().items() if "getCurrentPosition" in text]
    assert capturing == ["core/static/core/geo.js"]


def test_signatures_are_drawn_in_one_module_only():
    drawing = [name for name, text in _our_scripts().items() if "pointermove" in text]
    assert drawing == ["core/static/core/signature.js"]


def test_the_field_app_and_the_desktop_pages_import_them():
    scripts = _our_scripts()
    for name in ("field/static/field/inspection-form.js", "inspections/static/inspections/inspection.js"):
        assert 'from "../core/geo.js";' in scripts[name] and 'from "../core/signature.js";' in scripts[name]
    assert 'from "../core/geo.js";' in scripts["reports/static/reports/report_form.js"]
