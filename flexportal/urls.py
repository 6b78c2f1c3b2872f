"""URLs of an agency's portal (<slug>.<FLEXPORTAL_DOMAIN>). The bare domain uses urls_platform."""

from django.urls import include, path
from django.views.generic import RedirectView

from accounts import urls as accounts_urls
from flexportal import views
from flexportal.admin_sites import backoffice_site
from staffing import urls as staffing_urls
from timesheets import urls as timesheets_urls

# The roles' dashboards are the werkbrief home pages (timesheets.views).
worker_urlpatterns = [*timesheets_urls.worker_urlpatterns, *staffing_urls.worker_urlpatterns]
client_urlpatterns = [*timesheets_urls.client_urlpatterns, *staffing_urls.client_urlpatterns]

urlpatterns = [
    path("", include(accounts_urls.urlpatterns)),
    path("worker/", include((worker_urlpatterns, "worker"))),
    path("client/", include((client_urlpatterns, "client"))),
    # allauth's own e-mail management would bypass the confirmed change of accounts.views.
    path("accounts/email/", RedirectView.as_view(pattern_name="email_change")),
    path("accounts/", include("allauth.urls")),
    path("admin/", backoffice_site.urls),
    path("branding/logo/", views.agency_logo, name="agency_logo"),
    path("healthz/", views.healthz, name="healthz"),
]

handler404 = "flexportal.views.page_not_found"
