"""Pages of the staffing organisation: a flexworker's placements, a client contact's departments
and placements, and "my details" of both."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.decorators import role_required
from accounts.services import ClientInfo
from agencies.models import Role
from flexportal import uploads
from staffing import services
from staffing.forms import (
    ClientContactDetailsForm,
    FlexworkerDetailsForm,
    IbanChangeForm,
    IdDocumentForm,
    PhotoForm,
)
from staffing.selectors import (
    client_contact_for,
    departments_visible_to,
    flexworker_profile_for,
    placement_get,
    placements_visible_to,
)


def _client(request) -> ClientInfo:
    return ClientInfo.from_request(request)


# Flexworker pages ------------------------------------------------------------------------------


PLACEMENTS_PAGE_SIZE = 50


def _placements_page(request, placements):
    page = Paginator(placements, PLACEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "staffing/placement_list.html", {"placements": page.object_list, "page": page}
    )


@role_required(Role.FLEXWORKER)
def worker_placements(request):
    placements = placements_visible_to(membership=request.membership).order_by("-start_date", "pk")
    return _placements_page(request, placements)


@role_required(Role.FLEXWORKER)
def worker_placement_detail(request, placement_id):
    placement = placement_get(membership=request.membership, placement_id=placement_id)
    return render(request, "staffing/placement_detail.html", {"placement": placement})


# Client contact pages --------------------------------------------------------------------------


@role_required(Role.CLIENT_CONTACT)
def client_departments(request):
    contact = client_contact_for(membership=request.membership)
    departments = departments_visible_to(contact=contact).select_related("cost_centre")
    return render(request, "staffing/department_list.html", {"departments": departments})


@role_required(Role.CLIENT_CONTACT)
def client_placements(request):
    """The placements in the contact's departments by the worker's name, a page at a time."""
    placements = placements_visible_to(membership=request.membership).order_by(
        "worker__last_name", "worker__first_name", "pk"
    )
    return _placements_page(request, placements)


@role_required(Role.CLIENT_CONTACT)
def client_placement_detail(request, placement_id):
    placement = placement_get(membership=request.membership, placement_id=placement_id)
    return render(request, "staffing/placement_detail.html", {"placement": placement})


# My details: flexworker -------------------------------------------------------------------------


@role_required(Role.FLEXWORKER)
def worker_details(request):
    profile = flexworker_profile_for(membership=request.membership)
    return render(request, "staffing/worker_details.html", {"profile": profile})


@role_required(Role.FLEXWORKER)
def worker_details_edit(request):
    profile = flexworker_profile_for(membership=request.membership)
    form = FlexworkerDetailsForm(
        request.POST or None, instance=profile, agency=request.agency, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.FLEXWORKER_EDITABLE}
        # The form wrote onto the instance already; the service compares with what is stored.
        profile = flexworker_profile_for(membership=request.membership)
        services.flexworker_details_update(
            profile=profile,
            actor=request.user,
            client=_client(request),
            language=form.cleaned_data["language"],
            sms_reminders=form.cleaned_data["sms_reminders"],
            **data,
        )
        messages.success(request, _("Your details are saved."))
        return redirect("worker:details")
    return render(request, "staffing/worker_details_edit.html", {"form": form})


@role_required(Role.FLEXWORKER)
@never_cache
def worker_bank_account(request):
    profile = flexworker_profile_for(membership=request.membership)
    form = IbanChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = services.flexworker_iban_change(
            profile=profile,
            iban=form.cleaned_data["iban"],
            actor=request.user,
            client=_client(request),
        )
        if changed:
            messages.success(
                request,
                _("Your bank account is changed. We sent you an e-mail to confirm the change."),
            )
        else:
            messages.info(request, _("This is the bank account we already had."))
        return redirect("worker:details")
    return render(request, "staffing/worker_bank_account.html", {"form": form, "profile": profile})


@role_required(Role.FLEXWORKER)
def worker_id_document(request):
    profile = flexworker_profile_for(membership=request.membership)
    bound = request.method == "POST"
    form = IdDocumentForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        services.flexworker_id_document_upload(
            profile=profile,
            upload=form.cleaned_data["file"],
            actor=request.user,
            client=_client(request),
        )
        messages.success(request, _("Your ID document is saved."))
        return redirect("worker:details")
    return render(request, "staffing/worker_id_document.html", {"form": form, "profile": profile})


@role_required(Role.FLEXWORKER)
def worker_id_document_file(request):
    profile = flexworker_profile_for(membership=request.membership)
    return uploads.file_response(profile.id_document, name=uploads.download_name(_("ID document")))


@role_required(Role.FLEXWORKER)
def worker_photo(request):
    profile = flexworker_profile_for(membership=request.membership)
    if not request.agency.allow_profile_photo:
        raise Http404
    bound = request.method == "POST" and request.POST.get("action") != "remove"
    form = PhotoForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            services.flexworker_photo_set(
                profile=profile, upload=None, actor=request.user, client=_client(request)
            )
            messages.success(request, _("Your profile photo is removed."))
            return redirect("worker:details")
        if form.is_valid():
            services.flexworker_photo_set(
                profile=profile,
                upload=form.cleaned_data["file"],
                actor=request.user,
                client=_client(request),
            )
            messages.success(request, _("Your profile photo is saved."))
            return redirect("worker:details")
    return render(request, "staffing/worker_photo.html", {"form": form, "profile": profile})


@role_required(Role.FLEXWORKER)
def worker_photo_file(request):
    profile = flexworker_profile_for(membership=request.membership)
    if not request.agency.allow_profile_photo:
        raise Http404
    return uploads.file_response(profile.photo, name=uploads.download_name(_("profile photo")))


# My details: client contact ---------------------------------------------------------------------


@role_required(Role.CLIENT_CONTACT)
def client_details(request):
    contact = client_contact_for(membership=request.membership)
    return render(request, "staffing/client_details.html", {"contact": contact})


@role_required(Role.CLIENT_CONTACT)
def client_details_edit(request):
    contact = client_contact_for(membership=request.membership)
    form = ClientContactDetailsForm(request.POST or None, agency=request.agency, contact=contact)
    if request.method == "POST" and form.is_valid():
        services.client_contact_details_update(
            contact=contact, actor=request.user, client=_client(request), **form.cleaned_data
        )
        messages.success(request, _("Your details are saved."))
        return redirect("client:details")
    return render(request, "staffing/client_details_edit.html", {"form": form})
