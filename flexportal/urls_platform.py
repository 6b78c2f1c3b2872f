"""URLs of the bare domain: the platform admin where superusers manage agencies."""

from django.urls import include, path

from accounts import urls as accounts_urls
from flexportal import views
from flexportal.admin_sites import platform_site

urlpatterns = [
    path("", views.platform_home, name="home"),
    path("language/", accounts_urls.views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", platform_site.urls),
    path("healthz/", views.healthz, name="healthz"),
]
