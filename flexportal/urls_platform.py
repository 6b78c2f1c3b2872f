"""URLs of the bare domain: the platform admin where superusers manage agencies."""

from django.urls import include, path

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from flexportal import views
from flexportal.admin_sites import platform_site

urlpatterns = [
    path("", views.platform_home, name="home"),
    # Superusers give a second factor too (an authenticator app), through the same pages.
    *[p for p in accounts_urls.urlpatterns if p.name in accounts_urls.TWO_FACTOR_URL_NAMES],
    path("language/", accounts_views.set_language, name="set_language"),
    *accounts_urls.password_reset_urlpatterns,
    path("accounts/", include("allauth.urls")),
    path("admin/", platform_site.urls),
    path("healthz/", views.healthz, name="healthz"),
]
