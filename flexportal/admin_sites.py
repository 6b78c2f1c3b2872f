"""The two admin sites.

* ``backoffice_site`` on each agency's subdomain: the back office. Only people with a staff
  membership of that agency get in, and every ModelAdmin registered here must derive from
  AgencyScopedAdmin (tests/test_admin_scoping.py fails otherwise): querysets, foreign-key and
  many-to-many choices, autocompletes, filters, actions and saves stay inside the agency.
* ``platform_site`` on the bare domain: superusers create and manage agencies.

Both log in through the portal's own login (allauth, and the second factor where required),
never around it.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from flexportal.admin_forms import (
    AgencyChangeList,
    AgencyScopedModelForm,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    BadListAddress,
    CheckedJSONField,
)
from flexportal.tenancy import TenantModel, scopes_disabled


def _redirect_to_portal_login(request):
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


class BackofficeSite(admin.AdminSite):
    site_header = _("Back office")
    site_title = _("Flexportal back office")
    index_title = _("Back office")
    enable_nav_sidebar = True

    def has_permission(self, request) -> bool:
        agency = getattr(request, "agency", None)
        return (
            request.user.is_active
            and agency is not None
            and any(m.role == Role.STAFF for m in getattr(request, "memberships", []))
            and (
                # The second factor, where the agency requires it for staff: never around it.
                not agency.requires_two_factor(Role.STAFF)
                or getattr(request.user, "is_verified", lambda: False)()
            )
        )

    def password_change(self, request, extra_context=None):
        # One way to change a password: the portal's, with the agency's policy.
        return redirect("account_change_password")

    def each_context(self, request):
        context = super().each_context(request)
        if getattr(request, "agency", None) is not None:
            context["site_header"] = request.agency.name
        return context

    def login(self, request, extra_context=None):
        return _redirect_to_portal_login(request)

    def logout(self, request, extra_context=None):
        return redirect("account_logout")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                # Signed in, but not staff here: nothing to see, not even that it exists.
                raise Http404
            return inner(request, *args, **kwargs)

        wrapper.__wrapped__ = inner
        wrapper.admin_site = self
        return wrapper


class PlatformSite(admin.AdminSite):
    site_header = _("Flexportal platform")
    site_title = _("Flexportal platform")
    index_title = _("Agencies")

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser and request.user.is_verified()

    def login(self, request, extra_context=None):
        return _redirect_to_portal_login(request)

    def logout(self, request, extra_context=None):
        return redirect("account_logout")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if not self.has_permission(request):
                return inner(request, *args, **kwargs)  # redirects to the login
            # The platform operator works across agencies on purpose (cascading deletes).
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response = response.render()
                return response

        wrapper.admin_site = self
        return wrapper


backoffice_site = BackofficeSite(name="admin")
platform_site = PlatformSite(name="admin")


def _is_tenant_model(model) -> bool:
    return issubclass(model, TenantModel)


class AgencyScopedMixin:
    """Everything an admin shows or writes stays inside request.agency.

    The scope of the request already filters every tenant query; these overrides say it again
    explicitly so that the admin stays safe even if a model's manager were changed.
    """

    formfield_overrides = {models.JSONField: {"form_class": CheckedJSONField}}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if _is_tenant_model(self.model):
            return qs.filter(agency=request.agency)
        return qs.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.remote_field.model
        if _is_tenant_model(model) and "queryset" not in kwargs:
            kwargs["queryset"] = model._default_manager.filter(agency=request.agency)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        model = db_field.remote_field.model
        if _is_tenant_model(model) and "queryset" not in kwargs:
            kwargs["queryset"] = model._default_manager.filter(agency=request.agency)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _is_staff_here(self, request) -> bool:
        return any(m.role == Role.STAFF for m in getattr(request, "memberships", []))

    def has_module_permission(self, request):
        return self._is_staff_here(request)

    def has_view_permission(self, request, obj=None):
        return self._is_staff_here(request) and self._owned(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_staff_here(request) and self._owned(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_staff_here(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_staff_here(request) and self._owned(request, obj)

    def _owned(self, request, obj) -> bool:
        return obj is None or getattr(obj, "agency_id", None) == request.agency.pk


class AgencyScopedAdmin(AgencyScopedMixin, admin.ModelAdmin):
    form = AgencyScopedModelForm
    # Django counts a list twice (the filtered rows for the pages, and all rows for "(N total)");
    # at thousands of werkbriefjes a week each count is a scan. One count is enough.
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.agency = request.agency
        return form

    def get_changelist(self, request, **kwargs):
        return AgencyChangeList

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            raise BadListAddress from error

    def changelist_view(self, request, extra_context=None):
        # Nonsense in the address (a filter of another type, a year of twenty digits): say so,
        # with a way back to the list, instead of Django's "database error" page.
        try:
            return super().changelist_view(request, extra_context)
        except BadListAddress:
            context = {
                **self.admin_site.each_context(request),
                "title": _("This list cannot be shown"),
                "opts": self.opts,
                "list_url": request.path,
            }
            return TemplateResponse(request, "admin/bad_list_address.html", context, status=400)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.agency = request.agency
        elif obj.agency_id != request.agency.pk:
            raise Http404
        super().save_model(request, obj, form, change)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another agency's id looks exactly like one that does not exist: 404.
        raise Http404

    def delete_view(self, request, object_id, extra_context=None):
        # Django checks the permission before looking the object up; a foreign id must still
        # be a 404, also where deleting is not allowed at all.
        from django.contrib.admin.utils import unquote

        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().delete_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The same for a POST to a read-only admin (Django answers 403 before it looks).
        from django.contrib.admin.utils import unquote

        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "agency"]


class AgencyScopedTabularInline(AgencyScopedMixin, admin.TabularInline):
    extra = 0


class AgencyScopedStackedInline(AgencyScopedMixin, admin.StackedInline):
    extra = 0


def saved_by_service(obj, saved) -> None:
    """After ``save_model`` let a service make the row: the admin goes on with the object its
    form built (related fields, the log entry, the redirect), so that object becomes the saved
    row."""
    obj.__dict__.update(saved.__dict__)
