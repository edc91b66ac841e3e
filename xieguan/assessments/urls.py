from django.urls import path

from xieguan.assessments import views

app_name = "assessments"
urlpatterns = [
    path("assessments/", views.assessment_list, name="list"),
    path("assessments/new/", views.assessment_create, name="create"),
    path("assessments/<str:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<str:pk>/start/", views.assessment_start, name="start"),
    path("assessments/<str:pk>/compute/", views.assessment_compute, name="compute"),
    path("assessments/<str:pk>/release/", views.assessment_release, name="release"),
    path("assessments/<str:pk>/finalise/", views.assessment_finalise, name="finalise"),
    path("assessments/<str:pk>/reviewers/", views.reviewer_assign, name="assign"),
    path("assessments/<str:pk>/deductions/new/", views.deduction_create, name="deduction_create"),
    path("assessments/<str:pk>/appeal/", views.appeal_create, name="appeal_create"),
    path("assessments/<str:pk>/bulletin/", views.bulletin, name="bulletin"),
    path("assessments/<str:pk>/bulletin/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("assessments/<str:pk>/bulletin.docx", views.bulletin_word, name="bulletin_docx"),
    path("assessments/<str:pk>/bulletin.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("assessments/<str:pk>/allocations/", views.allocations, name="allocations"),
    path("assessments/<str:pk>/allocations.xlsx", views.allocations_xlsx, name="allocations_xlsx"),
    path("assessment-scores/<str:pk>/", views.score_edit, name="score"),
    path("assessment-scores/<str:pk>/evidence/", views.score_evidence, name="score_evidence"),
    path("assessment-appeals/<str:pk>/answer/", views.appeal_answer, name="appeal_answer"),
    path("assessment-schemes/", views.scheme_list, name="schemes"),
    path("assessment-schemes/new/", views.scheme_create, name="scheme_create"),
    path("assessment-schemes/<str:pk>/", views.scheme_detail, name="scheme"),
    path("assessment-schemes/<str:pk>/items/new/", views.item_create, name="item_create"),
    path("assessment-schemes/<str:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("assessment-schemes/<str:pk>/revise/", views.scheme_revise, name="scheme_revise"),
    path("assessment-items/<str:pk>/delete/", views.item_delete, name="item_delete"),
    path("populations/", views.population_list, name="populations"),
    path("populations/new/", views.population_create, name="population_create"),
    path("populations/import/", views.population_import, name="population_import"),
    path("station-visits/", views.visit_list, name="visits"),
    path("station-visits/new/", views.visit_create, name="visit_create"),
    path("station-visits/<str:pk>/", views.visit_detail, name="visit"),
]
