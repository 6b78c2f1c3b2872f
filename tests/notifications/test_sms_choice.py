"""Each person chooses on "my details" whether reminders also come by text message."""

import pytest

from accounts.models import AccountEvent

pytestmark = pytest.mark.django_db

DETAILS = {
    "first_name": "Anna",
    "last_name": "Vries",
    "street": "Dorpsstraat",
    "house_number": "12a",
    "postal_code": "2671 AB",
    "city": "Naaldwijk",
    "country": "NL",
    "phone": "06 87654321",
    "payroll_tax_credit": "apply",
    "language": "en",
}


def test_a_worker_chooses_reminders_by_text_message_too(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    form = client.get("/worker/details/edit/").content.decode()
    assert 'name="sms_reminders"' in form
    response = client.post("/worker/details/edit/", {**DETAILS, "sms_reminders": "on"})
    assert response.status_code == 302
    membership = tenant_a.worker.membership
    membership.refresh_from_db()
    assert membership.sms_reminders is True
    assert "By e-mail and text message" in client.get("/worker/details/").content.decode()
    with tenant_a.scope():
        event = AccountEvent.objects.filter(kind="details_changed").latest("created_at")
    assert "sms_reminders" in event.data["fields"]
    client.post("/worker/details/edit/", DETAILS)
    membership.refresh_from_db()
    assert membership.sms_reminders is False


def test_a_client_contact_chooses_it_on_their_own_details_page(tenant_a):
    membership = tenant_a.contact.membership
    client = tenant_a.http(membership)
    user = membership.user
    response = client.post(
        "/client/details/edit/",
        {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": "Teamleider",
            "phone": "",
            "language": "en",
            "sms_reminders": "on",
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.sms_reminders is True
    assert "By e-mail and text message" in client.get("/client/details/").content.decode()
