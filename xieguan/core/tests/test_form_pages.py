"""The one form page (core/form_pages.py) with a form and a service of its
own, so that what every converted page relies on is pinned down here."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ValidationError

from xieguan.core.form_pages import service_form_page


class PlaceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=10, help_text="As on the sign")
    code = forms.CharField(label="Code", max_length=6, required=False)


class Service:
    """Records its calls; raises what it is told to."""

    def __init__(self, error: ValidationError | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def __call__(self, form: forms.Form) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        self.calls.append(dict(form.cleaned_data))
        return {"pk": 7, **form.cleaned_data}


def _request(rf: Any, method: str, data: dict[str, str] | None = None) -> Any:
    if method in ("get", "post"):
        request = getattr(rf, method)("/places/new/", data or {})
    else:
        request = rf.generic(method.upper(), "/places/new/")
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    request.user = AnonymousUser()
    return request


def _page(request: Any, service: Service) -> Any:
    return service_form_page(
        request,
        form_class=PlaceForm,
        form_kwargs={"initial": {"code": "A1"}},
        service=service,
        success_url=lambda place: f"/places/{place['pk']}/",
        message=lambda place: f"{place['name']} saved.",
        title="Add a place",
        cancel_url="/places/",
    )


def test_get_shows_the_empty_form_with_its_labels_help_required_marks_and_cancel(db, rf):
    service = Service()
    response = _page(_request(rf, "get"), service)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Add a place</h1>" in page
    assert 'for="id_name">Name <span class="muted">*</span></label>' in page
    assert 'for="id_code">Code</label>' in page  # not required: no mark
    assert '<span class="helptext">As on the sign</span>' in page
    assert 'value="A1"' in page
    assert '<a class="btn btn-secondary" href="/places/">' in page
    assert service.calls == []


def test_valid_post_calls_the_service_and_redirects_with_a_message(db, rf):
    service = Service()
    request = _request(rf, "post", {"name": "河东", "code": "B2"})
    response = _page(request, service)
    assert response.status_code == 302 and response.url == "/places/7/"
    assert service.calls == [{"name": "河东", "code": "B2"}]
    assert [str(m) for m in get_messages(request)] == ["河东 saved."]


def test_invalid_post_keeps_what_was_typed_and_never_calls_the_service(db, rf):
    service = Service()
    response = _page(_request(rf, "post", {"name": "", "code": "KEPT"}), service)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="KEPT"' in page and 'class="field field-error"' in page
    assert service.calls == []


def test_a_refusal_on_a_field_shows_on_that_field_with_everything_typed(db, rf):
    service = Service(ValidationError({"code": "代码已被使用。"}))
    request = _request(rf, "post", {"name": "河东", "code": "B2"})
    response = _page(request, service)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="河东"' in page and 'value="B2"' in page
    assert page.count('class="field field-error"') == 1
    assert page.index('class="field field-error"') > page.index('for="id_name"')
    assert page.index("代码已被使用。") > page.index('for="id_code"')
    assert list(get_messages(request)) == []


def test_a_refusal_about_no_field_shows_above_the_form(db, rf):
    service = Service(ValidationError("本月已锁定。"))
    response = _page(_request(rf, "post", {"name": "河东"}), service)
    page = response.content.decode()
    assert '<div class="form-errors" role="alert">' in page
    assert page.index("本月已锁定。") < page.index('for="id_name"')


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(db, rf, method):
    service = Service()
    response = _page(_request(rf, method), service)
    assert response.status_code == 405
    assert service.calls == []


def test_a_page_coming_back_with_errors_may_answer_another_status(db, rf):
    def page(request: Any) -> Any:
        return service_form_page(
            request, form_class=PlaceForm, service=Service(), success_url="/places/", invalid_status=422
        )

    assert page(_request(rf, "get")).status_code == 200
    assert page(_request(rf, "post", {"code": "B2"})).status_code == 422
