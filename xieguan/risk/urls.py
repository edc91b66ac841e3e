from django.urls import path

from xieguan.risk import views

app_name = "risk"
urlpatterns = [
    path("risk/", views.risk_overview, name="overview"),
    path("risk/settings/", views.risk_settings, name="settings"),
    path("risk/backtest/", views.risk_backtest, name="backtest"),
    path("risk/reviews/", views.review_list, name="reviews"),
    path("risk/checklists/", views.checklist_analytics, name="checklists"),
    path("risk/reviews/<str:pk>/", views.review_detail, name="review"),
]
