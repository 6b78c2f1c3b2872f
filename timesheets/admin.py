from django.contrib import admin

from flexportal.admin_sites import AgencyScopedAdmin, AgencyScopedStackedInline, backoffice_site
from timesheets.models import CaoScheme, CaoSchemeVersion


class CaoSchemeVersionInline(AgencyScopedStackedInline):
    model = CaoSchemeVersion
    fields = ["valid_from", "document"]


@admin.register(CaoScheme, site=backoffice_site)
class CaoSchemeAdmin(AgencyScopedAdmin):
    list_display = ["name", "is_example", "updated_at"]
    search_fields = ["name"]
    inlines = [CaoSchemeVersionInline]
