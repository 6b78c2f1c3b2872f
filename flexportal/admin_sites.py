"""The two admin sites.

* ``backoffice_site`` on each agency's subdomain: the back office. Only people with a staff
  membership of that agency get in, and every ModelAdmin registered here must derive from
  AgencyScopedAdmin (tests/test_admin_scoping.py fails otherwise): querysets, foreign-key and
  many-to-many choices, autocompletes, filters, actions and saves stay inside the agency.
* ``platform_site`` on the bare domain: superusers create and manage agencies.

Both log in through the portal's own login (allauth, and the second factor where required),
never around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Protocol
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import BaseModelAdmin, IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms import ModelChoiceField, ModelForm, ModelMultipleChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
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

if TYPE_CHECKING:
    from agencies.models import Agency

    View = Callable[..., HttpResponseBase]
    _ScopedAdminBase = BaseModelAdmin[Any]
else:
    _ScopedAdminBase = object


def _agency(request: HttpRequest) -> Agency:
    """The back office runs on an agency's subdomain only: AgencyMiddleware has set it."""
    return request.agency  # type: ignore[attr-defined,no-any-return]


def _redirect_to_portal_login(request: HttpRequest) -> HttpResponseBase:
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


class BackofficeSite(admin.AdminSite):
    site_header = _("Back office")
    site_title = _("Flexportal back office")
    index_title = _("Back office")
    enable_nav_sidebar = True

    def has_permission(self, request: HttpRequest) -> bool:
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

    def password_change(  # type: ignore[override] # a redirect, not a page
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        # One way to change a password: the portal's, with the agency's policy.
        return redirect("account_change_password")

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        if getattr(request, "agency", None) is not None:
            context["site_header"] = _agency(request).name
        return context

    def login(  # type: ignore[override] # a redirect to the portal's login
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        return _redirect_to_portal_login(request)

    def logout(  # type: ignore[override] # a redirect to the portal's logout
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        return redirect("account_logout")

    def admin_view(self, view: View, cacheable: bool = False) -> View:  # type: ignore[override]
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not self.has_permission(request):
                # Signed in, but not staff here: nothing to see, not even that it exists.
                raise Http404
            return inner(request, *args, **kwargs)

        wrapper.__wrapped__ = inner  # type: ignore[attr-defined]
        wrapper.admin_site = self  # type: ignore[attr-defined]
        return wrapper


class PlatformSite(admin.AdminSite):
    site_header = _("Flexportal platform")
    site_title = _("Flexportal platform")
    index_title = _("Agencies")

    def has_permission(self, request: HttpRequest) -> bool:
        # django_otp's middleware gives the user is_verified().
        return request.user.is_active and request.user.is_superuser and request.user.is_verified()  # type: ignore[attr-defined]

    def login(  # type: ignore[override] # a redirect to the portal's login
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        return _redirect_to_portal_login(request)

    def logout(  # type: ignore[override] # a redirect to the portal's logout
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        return redirect("account_logout")

    def admin_view(self, view: View, cacheable: bool = False) -> View:  # type: ignore[override]
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not self.has_permission(request):
                return inner(request, *args, **kwargs)  # redirects to the login
            # The platform operator works across agencies on purpose (cascading deletes).
            with scopes_disabled():
                response = inner(request, *args, **kwargs)
                # A lazy (template) response renders here, inside the block.
                if hasattr(response, "render") and not response.is_rendered:  # type: ignore[attr-defined]
                    response = response.render()
                return response

        wrapper.admin_site = self  # type: ignore[attr-defined]
        return wrapper


backoffice_site = BackofficeSite(name="admin")
platform_site = PlatformSite(name="admin")


def _is_tenant_model(model: type[models.Model]) -> bool:
    return issubclass(model, TenantModel)


class AgencyScopedMixin(_ScopedAdminBase):
    """Everything an admin shows or writes stays inside request.agency.

    The scope of the request already filters every tenant query; these overrides say it again
    explicitly so that the admin stays safe even if a model's manager were changed.
    """

    formfield_overrides: ClassVar[Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]] = {
        models.JSONField: {"form_class": CheckedJSONField}
    }

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        qs = super().get_queryset(request)
        if _is_tenant_model(self.model):
            return qs.filter(agency=_agency(request))
        return qs.none()

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        model = db_field.remote_field.model
        if _is_tenant_model(model) and "queryset" not in kwargs:
            kwargs["queryset"] = model._default_manager.filter(agency=_agency(request))
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        model = db_field.remote_field.model
        if _is_tenant_model(model) and "queryset" not in kwargs:
            kwargs["queryset"] = model._default_manager.filter(agency=_agency(request))
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _is_staff_here(self, request: HttpRequest) -> bool:
        return any(m.role == Role.STAFF for m in getattr(request, "memberships", []))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_staff_here(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_staff_here(request) and self._owned(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_staff_here(request) and self._owned(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._is_staff_here(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_staff_here(request) and self._owned(request, obj)

    def _owned(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return obj is None or getattr(obj, "agency_id", None) == _agency(request).pk


class AgencyScopedAdmin(AgencyScopedMixin, admin.ModelAdmin):
    form = AgencyScopedModelForm
    # Django counts a list twice (the filtered rows for the pages, and all rows for "(N total)");
    # at thousands of werkbriefjes a week each count is a scan. One count is enough.
    show_full_result_count = False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.agency = _agency(request)  # type: ignore[attr-defined] # an AgencyScopedModelForm
        return form

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return AgencyChangeList

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            raise BadListAddress from error

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        if not change:
            obj.agency = _agency(request)
        elif obj.agency_id != _agency(request).pk:
            raise Http404
        super().save_model(request, obj, form, change)

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> NoReturn:
        # Another agency's id looks exactly like one that does not exist: 404.
        raise Http404

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django checks the permission before looking the object up; a foreign id must still
        # be a 404, also where deleting is not allowed at all.
        from django.contrib.admin.utils import unquote

        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().delete_view(request, object_id, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The same for a POST to a read-only admin (Django answers 403 before it looks).
        from django.contrib.admin.utils import unquote

        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(super().get_exclude(request, obj) or []), "agency"]


class AgencyScopedTabularInline(AgencyScopedMixin, admin.TabularInline):
    extra = 0


class AgencyScopedStackedInline(AgencyScopedMixin, admin.StackedInline):
    extra = 0


def saved_by_service(obj: models.Model, saved: models.Model) -> None:
    """After ``save_model`` let a service make the row: the admin goes on with the object its
    form built (related fields, the log entry, the redirect), so that object becomes the saved
    row."""
    obj.__dict__.update(saved.__dict__)


# Writes through the services ----------------------------------------------------------------------


class RecordSaveService(Protocol):
    """An app's ``<app>_record_save`` (built on ``flexportal.records.record_save``)."""

    def __call__(
        self,
        *,
        agency: Agency,
        actor: Any,
        record: Any,
        exclude: Iterable[str] = (),
        many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
    ) -> Any: ...


class RecordDeleteService(Protocol):
    """An app's ``<app>_record_delete``."""

    def __call__(self, *, agency: Agency, actor: Any, record: Any) -> None: ...


def _form_writes(form: Any) -> tuple[set[str], dict[str, Any]]:
    """What a validated model form leaves out of validation, and its many-to-many values."""
    many_to_many = {
        f.name: form.cleaned_data[f.name]
        for f in form.instance._meta.many_to_many
        if f.name in form.fields and f.name in form.cleaned_data
    }
    return set(form._get_validation_exclusions()), many_to_many


class ServiceWritesAdmin(AgencyScopedAdmin):
    """An admin whose every write goes through its app's services: the record of the change
    form, its many-to-many values, each row its inlines add, change or delete, the delete page
    and the "delete selected" action. Set ``record_save`` and ``record_delete`` (wrapped in
    ``staticmethod``); an admin that makes new records otherwise (a person needs an identity)
    overrides ``save_model`` for the add and calls ``super()`` for a change.

    ``tests/test_admin_services.py`` fails for a back-office admin that could reach Django's own
    save or delete."""

    record_save: ClassVar[RecordSaveService]
    record_delete: ClassVar[RecordDeleteService]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # A rule only the saved rows can break (two inline rows swapping their codes) is found by
        # the service's full_clean after the form was valid: nothing is saved (the view's
        # transaction rolls back) and the page says why instead of an error 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        if change and obj.agency_id != _agency(request).pk:
            raise Http404
        exclude, many_to_many = _form_writes(form)
        saved = self.record_save(
            agency=_agency(request),
            actor=request.user,
            record=obj,
            exclude=exclude,
            many_to_many=many_to_many,
        )
        if saved is not obj:
            saved_by_service(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        # The many-to-many values went with the record (save_model): only the inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: Any) -> None:
        formset.save(commit=False)  # sets new_, changed_ and deleted_objects, and saved_forms
        for obj in formset.deleted_objects:
            self.record_delete(agency=_agency(request), actor=request.user, record=obj)
        for row in formset.saved_forms:
            exclude, many_to_many = _form_writes(row)
            self.record_save(
                agency=_agency(request),
                actor=request.user,
                record=row.instance,
                exclude=exclude,
                many_to_many=many_to_many,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.record_delete(agency=_agency(request), actor=request.user, record=obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        # All or nothing: Django runs "delete selected" outside a transaction.
        with transaction.atomic():
            for obj in queryset:
                self.record_delete(agency=_agency(request), actor=request.user, record=obj)
