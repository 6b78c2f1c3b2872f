from django.urls import path, re_path

from accounts import views

# Before allauth's URLs (the agency's and the platform's URLconf): the reset link's page, and
# allauth's reset form only at its address without a key; allauth's e-mail confirmation is not
# used (addresses change through email_change), so its key-carrying address opens nothing.
password_reset_urlpatterns = [
    path(
        "accounts/password/reset/link/",
        views.password_reset_link,
        name="account_reset_password_link",
    ),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        views.not_found,
        name="account_confirm_email",
    ),
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
    # Activation: the mailed link (/activate/link/#<token>), then the steps; the token is kept
    # in the session, never in an address (views, "One-time links").
    path("activate/link/", views.activation_start, name="activation_start"),
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
    path("email/confirm/link/", views.email_change_link, name="email_change_link"),
    path("email/confirm/", views.email_change_confirm, name="email_change_confirm"),
    *password_reset_urlpatterns,
]
