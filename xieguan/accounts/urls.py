from django.urls import path

from xieguan.accounts import pickers, views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/change/", views.password_change, name="password_change"),
    path("accounts/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/security/", views.two_factor_settings, name="two_factor"),
    path("people/<str:pk>/two-factor-off/", views.person_two_factor_off, name="person_two_factor_off"),
    path("pick/person/", pickers.pick_person, name="pick_person"),
    path("pick/institution/", pickers.pick_institution, name="pick_institution"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/new/", views.institution_create, name="institution_create"),
    path("institutions/<str:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<str:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<str:pk>/supervisor/", views.institution_supervisor, name="institution_supervisor"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/lockouts/", views.lockout_list, name="lockout_list"),
    path("people/lockouts/<str:pk>/release/", views.lockout_release, name="lockout_release"),
    path("people/<str:pk>/", views.person_detail, name="person_detail"),
    path("people/<str:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<str:pk>/password/", views.person_password, name="person_password"),
    path("people/<str:pk>/active/", views.person_active, name="person_active"),
    path("people/<str:pk>/move/", views.person_move, name="person_move"),
    path("people/<str:pk>/tokens/<str:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<str:pk>/", views.transfer_decide, name="transfer_decide"),
]
