from django.urls import path

from xieguan.inspections import views

app_name = "inspections"
urlpatterns = [
    path("inspections/", views.inspection_list, name="list"),
    path("inspections/due/", views.patrol_due, name="due"),
    path("inspections/new/", views.inspection_create, name="create"),
    path("inspections/register/", views.patrol_register, name="register"),
    path("inspections/plan/", views.monthly_plan, name="plan"),
    path("inspections/settings/", views.county_settings, name="settings"),
    path("inspections/photos/<str:pk>/", views.photo, name="photo"),
    path("inspections/signatures/<str:pk>/", views.signature_image, name="signature"),
    path("inspections/<str:pk>/", views.inspection_detail, name="detail"),
    path("inspections/<str:pk>/autosave/", views.inspection_autosave, name="autosave"),
    path("inspections/<str:pk>/photos/", views.inspection_photo_add, name="photo_add"),
    path("inspections/<str:pk>/sign/", views.inspection_sign, name="sign"),
    path("inspections/<str:pk>/correct/", views.inspection_correct, name="correct"),
    path("inspections/<str:pk>/pdf/", views.inspection_pdf, name="pdf"),
    path("inspections/<str:pk>/opinion/", views.opinion_create, name="opinion_create"),
    path("opinions/", views.opinion_list, name="opinions"),
    path("opinions/<str:pk>/", views.opinion_detail, name="opinion"),
    path("opinions/<str:pk>/pdf/", views.opinion_pdf, name="opinion_pdf"),
    path("opinions/<str:pk>/reinspect/", views.reinspection_create, name="reinspection_create"),
    path("reinspections/<str:pk>/", views.reinspection_detail, name="reinspection"),
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/new/", views.handover_create, name="handover_create"),
    path("handovers/<str:pk>/", views.handover_detail, name="handover"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/new/", views.checklist_new, name="checklist_new"),
    path("checklists/<str:pk>/", views.checklist_detail, name="checklist"),
]
