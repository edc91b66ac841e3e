from django.urls import path

from xieguan.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/settings/", views.draw_settings, name="settings"),
    path("campaigns/conflicts/", views.conflict_list, name="conflicts"),
    path("campaigns/conflicts/new/", views.conflict_create, name="conflict_create"),
    path("campaigns/conflicts/<str:pk>/remove/", views.conflict_remove, name="conflict_remove"),
    path("campaigns/materials/<str:pk>/", views.material_file, name="material"),
    path("campaigns/targets/<str:pk>/", views.target_detail, name="target"),
    path("campaigns/targets/<str:pk>/record/", views.target_record, name="target_record"),
    path("campaigns/<str:pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<str:pk>/targets/", views.campaign_targets, name="targets"),
    path("campaigns/<str:pk>/targets/add/", views.targets_add, name="targets_add"),
    path("campaigns/<str:pk>/checklist/", views.campaign_checklist, name="checklist"),
    path("campaigns/<str:pk>/basis/", views.campaign_basis, name="basis"),
    path("campaigns/<str:pk>/materials/", views.campaign_materials, name="materials"),
    path("campaigns/<str:pk>/summary/", views.campaign_summary, name="summary"),
    path("campaigns/<str:pk>/summary.docx", views.summary_docx, name="summary_docx"),
    path("campaigns/<str:pk>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("campaigns/<str:pk>/draw/", views.draw_create, name="draw_create"),
    path("draws/<str:pk>/", views.draw_detail, name="draw"),
    path("draws/<str:pk>/publish/", views.draw_publish, name="draw_publish"),
    path("draws/<str:pk>/redraw/", views.draw_redraw, name="draw_redraw"),
    path("public/<str:county>/", views.public_page, name="public"),
    path("public/<str:county>/draws/<str:pk>/", views.public_draw_page, name="public_draw"),
    path("public/<str:county>/draws/<str:pk>.json", views.public_draw_json, name="public_draw_json"),
    path("public/<str:county>/draws.json", views.public_draws_json, name="public_draws_json"),
]
