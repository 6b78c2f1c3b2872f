"""Views of accounts: the role switch and the home redirect. Business rules live in services."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from accounts.selectors import (
    client_contact_for,
    client_menu_counts,
    departments_visible_to,
    placement_get,
    placements_current,
    placements_visible_to,
)

HOME_BY_ROLE = {
    Role.FLEXWORKER: "worker:dashboard",
    Role.CLIENT_CONTACT: "client:dashboard",
    Role.STAFF: "admin:index",
}


def home_url_for(membership) -> str:
    return reverse(HOME_BY_ROLE[membership.role])


@login_required
def home(request):
    """Where a signed-in person lands: the home page of their active role."""
    if request.membership is None:
        raise Http404
    return redirect(home_url_for(request.membership))


@login_required
@require_POST
def switch_role(request):
    role = request.POST.get("role")
    if not any(m.role == role for m in request.memberships):
        raise Http404
    request.session["active_role"] = role
    return redirect("home")


@require_POST
def set_language(request):
    """Django's language switch, and for a signed-in person also their saved preference."""
    from django.views.i18n import set_language as django_set_language

    from accounts.services import user_set_language

    language = request.POST.get("language", "")
    agency = getattr(request, "agency", None)
    if agency is not None and language not in agency.enabled_languages:
        raise Http404
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response


# Flexworker pages ------------------------------------------------------------------------------


@role_required(Role.FLEXWORKER)
def worker_dashboard(request):
    today = timezone.localdate()
    placements = placements_current(membership=request.membership, on=today)
    return render(request, "accounts/worker_dashboard.html", {"placements": placements})


@role_required(Role.FLEXWORKER)
def worker_placements(request):
    placements = placements_visible_to(membership=request.membership)
    return render(request, "accounts/placement_list.html", {"placements": placements})


@role_required(Role.FLEXWORKER)
def worker_placement_detail(request, placement_id):
    placement = placement_get(membership=request.membership, placement_id=placement_id)
    return render(request, "accounts/placement_detail.html", {"placement": placement})


# Client contact pages --------------------------------------------------------------------------


@role_required(Role.CLIENT_CONTACT)
def client_dashboard(request):
    contact = client_contact_for(membership=request.membership)
    today = timezone.localdate()
    counts = client_menu_counts(contact=contact, today=today)
    return render(request, "accounts/client_dashboard.html", {"contact": contact, "counts": counts})


@role_required(Role.CLIENT_CONTACT)
def client_departments(request):
    contact = client_contact_for(membership=request.membership)
    departments = departments_visible_to(contact=contact).select_related("cost_centre")
    return render(request, "accounts/department_list.html", {"departments": departments})


@role_required(Role.CLIENT_CONTACT)
def client_placements(request):
    placements = placements_visible_to(membership=request.membership)
    return render(request, "accounts/placement_list.html", {"placements": placements})


@role_required(Role.CLIENT_CONTACT)
def client_placement_detail(request, placement_id):
    placement = placement_get(membership=request.membership, placement_id=placement_id)
    return render(request, "accounts/placement_detail.html", {"placement": placement})
