"""The back office keeps a client contact's page: saving it, the invitation buttons on it, and
departments of the contact's own client only (issue 11, item 6)."""

import pytest
from django.urls import reverse

from accounts.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"


def _change_url(contact):
    return reverse("admin:staffing_clientcontact_change", args=[contact.pk], urlconf=URLCONF)


def _page_data(client, contact, **values):
    form = client.get(_change_url(contact)).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for name, value in values.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_staff_save_a_client_contacts_page(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    contact = tenant_a.contact
    data = _page_data(client, contact, job_title="Planner", can_see_invoices="on")
    response = client.post(_change_url(contact), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert (contact.job_title, contact.can_see_invoices) == ("Planner", True)


def test_staff_send_the_invitation_from_a_client_contacts_page(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    client = tenant_a.http(tenant_a.staff)
    contact = tenant_a.contact
    data = _page_data(client, contact, _send_invitation="1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_change_url(contact), data, follow=True)
    assert response.status_code == 200
    assert [m.to for m in mailoutbox] == [[contact.membership.user.email]]
    with tenant_a.scope():
        assert Invitation.objects.filter(membership=contact.membership).count() == 1
    page = client.get(_change_url(contact))
    assert 'name="_revoke_invitation"' in page.content.decode()
    revoke = client.post(_change_url(contact), _page_data(client, contact, _revoke_invitation="1"))
    assert revoke.status_code == 302
    with tenant_a.scope():
        assert Invitation.objects.get(membership=contact.membership).revoked_at is not None


def test_a_department_of_another_client_is_refused_at_the_field(tenant_a):
    with tenant_a.scope():
        elsewhere = factories.DepartmentFactory(agency=tenant_a.agency)
    client = tenant_a.http(tenant_a.staff)
    contact = tenant_a.contact
    data = _page_data(
        client,
        contact,
        sees_all_departments=False,
        departments=[str(tenant_a.department.pk), str(elsewhere.pk)],
    )
    response = client.post(_change_url(contact), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["departments"]
    with tenant_a.scope():
        assert not contact.departments.exists()
