"""Views that belong to the project rather than one app: branding, health, error pages."""

from django.db import connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control


@cache_control(max_age=300, public=True)
def agency_logo(request):
    """The agency's logo, read through the storage API (so S3 works too)."""
    agency = request.agency
    if not agency.logo:
        raise Http404
    return FileResponse(agency.logo.open("rb"))


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def platform_home(request):
    return redirect("admin:index")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
