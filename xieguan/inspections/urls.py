from django.urls import path

from xieguan.inspections.views import checklists, followups, opinions, plans, records, registers

app_name = "inspections"
urlpatterns = [
    path("inspections/", records.inspection_list, name="list"),
    path("inspections/due/", records.patrol_due, name="due"),
    path("inspections/new/", records.inspection_create, name="create"),
    path("inspections/register/", registers.patrol_register, name="register"),
    path("inspections/plan/", plans.monthly_plan, name="plan"),
    path("inspections/settings/", checklists.county_settings, name="settings"),
    path("inspections/photos/<str:pk>/", records.photo, name="photo"),
    path("inspections/signatures/<str:pk>/", records.signature_image, name="signature"),
    path("inspections/<str:pk>/", records.inspection_detail, name="detail"),
    path("inspections/<str:pk>/autosave/", records.inspection_autosave, name="autosave"),
    path("inspections/<str:pk>/photos/", records.inspection_photo_add, name="photo_add"),
    path("inspections/<str:pk>/sign/", records.inspection_sign, name="sign"),
    path("inspections/<str:pk>/correct/", records.inspection_correct, name="correct"),
    path("inspections/<str:pk>/pdf/", records.inspection_pdf, name="pdf"),
    path("inspections/<str:pk>/opinion/", opinions.opinion_create, name="opinion_create"),
    path("opinions/", opinions.opinion_list, name="opinions"),
    path("opinions/<str:pk>/", opinions.opinion_detail, name="opinion"),
    path("opinions/<str:pk>/pdf/", opinions.opinion_pdf, name="opinion_pdf"),
    path("opinions/<str:pk>/reinspect/", followups.reinspection_create, name="reinspection_create"),
    path("reinspections/<str:pk>/", followups.reinspection_detail, name="reinspection"),
    path("handovers/", followups.handover_list, name="handovers"),
    path("handovers/new/", followups.handover_create, name="handover_create"),
    path("handovers/<str:pk>/", followups.handover_detail, name="handover"),
    path("checklists/", checklists.checklist_list, name="checklists"),
    path("checklists/new/", checklists.checklist_new, name="checklist_new"),
    path("checklists/<str:pk>/", checklists.checklist_detail, name="checklist"),
]
