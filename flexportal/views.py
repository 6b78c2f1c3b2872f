"""Views that belong to the project rather than one app: branding, health, error pages."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from flexportal import uploads
from flexportal.http import AgencyRequest


def agency_logo(request: AgencyRequest) -> HttpResponseBase:
    """The agency's logo, read through the storage API (so S3 works too): an image of a fixed
    type, whatever was stored before logos were checked (anything else is not found)."""
    return uploads.file_response(
        request.agency.logo, name="logo", kinds=uploads.LOGO.kinds, public=True
    )


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def platform_home(request: HttpRequest) -> HttpResponseBase:
    return redirect("admin:index")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
