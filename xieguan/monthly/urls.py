from django.urls import path

from xieguan.monthly import overview_views, views, workbook_views

app_name = "monthly"
urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review_list, name="review"),
    path("rates/", views.rates, name="rates"),
    path("settings/", views.settings_page, name="settings"),
    path("overview/", overview_views.overview, name="overview"),
    path(
        "overview/<str:area_id>/<int:year>/<int:month>/<slug:measure>/",
        overview_views.overview_drill,
        name="overview_drill",
    ),
    path("summary/<str:township_id>/<int:year>/", views.summary, name="summary"),
    path("<str:township_id>/<int:year>/<int:month>/", views.report_page, name="report"),
    path("<str:township_id>/<int:year>/<int:month>/submit/", views.submit, name="submit"),
    path(
        "<str:township_id>/<int:year>/<int:month>/workbook.xlsx",
        workbook_views.workbook,
        {"fmt": "xlsx"},
        name="workbook_xlsx",
    ),
    path(
        "<str:township_id>/<int:year>/<int:month>/workbook.pdf",
        workbook_views.workbook,
        {"fmt": "pdf"},
        name="workbook_pdf",
    ),
    path("<str:township_id>/<int:year>/<int:month>/return/", views.return_report, name="return"),
    path("<str:township_id>/<int:year>/<int:month>/approve/", views.approve, name="approve"),
    path("<str:township_id>/<int:year>/<int:month>/unlock-request/", views.unlock_request, name="unlock_request"),
    path("<str:township_id>/<int:year>/<int:month>/unlock-grant/", views.unlock_grant, name="unlock_grant"),
    path(
        "<str:township_id>/<int:year>/<int:month>/cells/<slug:row>/<slug:column>/<slug:period>/",
        views.cell,
        name="cell",
    ),
]
