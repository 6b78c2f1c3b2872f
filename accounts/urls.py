from django.urls import path

from accounts import views

worker_urlpatterns = [
    path("placements/", views.worker_placements, name="placements"),
    path(
        "placements/<uuid:placement_id>/",
        views.worker_placement_detail,
        name="placement_detail",
    ),
    path("details/", views.worker_details, name="details"),
    path("details/edit/", views.worker_details_edit, name="details_edit"),
    path("details/bank-account/", views.worker_bank_account, name="bank_account"),
    path("details/id-document/", views.worker_id_document, name="id_document"),
    path("details/id-document/file/", views.worker_id_document_file, name="id_document_file"),
    path("details/photo/", views.worker_photo, name="photo"),
    path("details/photo/file/", views.worker_photo_file, name="photo_file"),
]

client_urlpatterns = [
    path("departments/", views.client_departments, name="departments"),
    path("placements/", views.client_placements, name="placements"),
    path(
        "placements/<uuid:placement_id>/",
        views.client_placement_detail,
        name="placement_detail",
    ),
    path("details/", views.client_details, name="details"),
    path("details/edit/", views.client_details_edit, name="details_edit"),
]

TWO_FACTOR_URL_NAMES = {
    "two_factor_verify",
    "two_factor_setup",
    "two_factor_setup_app",
    "two_factor_setup_sms",
    "two_factor_backup_codes",
}

urlpatterns = [
    path("", views.home, name="home"),
    path("role/", views.switch_role, name="switch_role"),
    path("language/", views.set_language, name="set_language"),
    # Activation: the mailed link, then the steps (token kept in the session, not the URL).
    path("activate/<str:token>/", views.activation_start, name="activation_start"),
    path("activate/", views.activation, name="activation"),
    # Second factor and security.
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/setup/app/", views.two_factor_setup_app, name="two_factor_setup_app"),
    path("two-factor/setup/sms/", views.two_factor_setup_sms, name="two_factor_setup_sms"),
    path(
        "two-factor/backup-codes/",
        views.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path("security/", views.security, name="security"),
    path("email/", views.email_change, name="email_change"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
]
