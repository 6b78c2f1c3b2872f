"""The back office invites flexworkers, client contacts and colleagues: on the person's page,
as a bulk action, resend and revoke. The mail is in the invitee's language with the agency's
branding; the link is single use, stored hashed, and every step is audited."""

import re

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from accounts import services
from accounts.models import AccountEvent, Invitation, Membership, User
from agencies.models import Role
from flexportal.tenancy import scopes_disabled
from staffing import services as staffing_services
from tests import factories
from tests.accounts.helpers import activation_link, invite, nl, open_link

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"


def _url(name, *args):
    return reverse(name, args=args, urlconf=URLCONF)


def _link(message) -> str:
    return re.search(r"https?://\S+/activate/link/#[\w-]+", message.body).group(0)


def _new_worker(tenant, email="nieuw@example.nl", language="nl", phone="0612345678"):
    with tenant.scope():
        return staffing_services.flexworker_create(
            agency=tenant.agency,
            email=email,
            employee_number=email.split("@")[0][:20],
            first_name="Nina",
            last_name="Nieuw",
            language=language,
            phone=phone,
        )


def test_staff_invite_a_flexworker_from_the_list_as_a_bulk_action(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    one = _new_worker(tenant_a, email="een@example.nl")
    two = _new_worker(tenant_a, email="twee@example.nl")
    client = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("admin:staffing_flexworkerprofile_changelist"),
            {"action": "send_invitations", "_selected_action": [str(one.pk), str(two.pk)]},
            follow=True,
        )
    assert response.status_code == 200
    assert sorted(m.to[0] for m in mailoutbox) == ["een@example.nl", "twee@example.nl"]
    with tenant_a.scope():
        assert Invitation.objects.count() == 2
    link = _link(mailoutbox[0])
    assert link.startswith("http://alpha.localhost/activate/link/#")


def test_the_mail_speaks_the_invitees_language_with_the_agencys_branding(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    tenant_a.agency.primary_colour = "#123456"
    tenant_a.agency.contact_email = "planning@alpha.nl"
    tenant_a.agency.save()
    profile = _new_worker(tenant_a, language="pl")
    with django_capture_on_commit_callbacks(execute=True):
        invite(tenant_a, profile.membership)
    (message,) = mailoutbox
    assert message.extra_headers["Content-Language"] == "pl"
    assert message.from_email.startswith(
        '"Alpha Uitzendbureau" <'
    ) or message.from_email.startswith("Alpha Uitzendbureau <")
    assert message.reply_to == ["planning@alpha.nl"]
    html = message.alternatives[0][0]
    assert "#123456" in html
    assert _link(message) in html


def test_a_language_the_agency_does_not_offer_falls_back_to_dutch(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    tenant_a.agency.enabled_languages = ["nl", "en"]
    tenant_a.agency.save()
    profile = _new_worker(tenant_a, language="pl")
    with django_capture_on_commit_callbacks(execute=True):
        invite(tenant_a, profile.membership)
    assert mailoutbox[0].extra_headers["Content-Language"] == "nl"


def test_the_mail_goes_out_only_when_the_transaction_commits(tenant_a, mailoutbox):
    profile = _new_worker(tenant_a)
    invite(tenant_a, profile.membership)
    assert mailoutbox == []


def test_resending_voids_the_earlier_link(tenant_a, django_capture_on_commit_callbacks):
    profile = _new_worker(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        _first, first_token = invite(tenant_a, profile.membership)
    with django_capture_on_commit_callbacks(execute=True):
        _second, second_token = invite(tenant_a, profile.membership)
    client = tenant_a.http()
    assert open_link(client, activation_link(first_token)).status_code == 410
    assert open_link(client, activation_link(second_token)).status_code == 302
    with tenant_a.scope():
        events = AccountEvent.objects.filter(kind="invitation_sent").order_by("created_at")
        assert [e.data["resent"] for e in events] == [False, True]


def test_save_and_send_the_invitation_on_the_add_page(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    client = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("admin:staffing_flexworkerprofile_add"),
            {
                "email": "piotr@example.pl",
                "language": "pl",
                "employee_number": "N0009",
                "first_name": "Piotr",
                "last_name": "Nowak",
                "country": "NL",
                "phone": "+48 600 123 456",
                "payroll_tax_credit": "apply",
                "_send_invitation": "1",
            },
        )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["piotr@example.pl"]]


def test_revoke_the_invitation_on_the_persons_page(tenant_a):
    profile = _new_worker(tenant_a)
    invitation, token = invite(tenant_a, profile.membership)
    client = tenant_a.http(tenant_a.staff)
    page = client.get(_url("admin:staffing_flexworkerprofile_change", profile.pk))
    html = page.content.decode()
    assert 'name="_revoke_invitation"' in html
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "bsn"}
    data.update({"_revoke_invitation": "1", "bsn": ""})
    response = client.post(_url("admin:staffing_flexworkerprofile_change", profile.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with tenant_a.scope():
        invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert open_link(tenant_a.http(), activation_link(token)).status_code == 410


def test_the_invitation_status_shows_on_the_persons_page(tenant_a):
    profile = _new_worker(tenant_a)
    client = tenant_a.http(tenant_a.staff)
    url = _url("admin:staffing_flexworkerprofile_change", profile.pk)
    assert (
        "Not invited yet" in client.get(url).content.decode() or client.get(url).status_code == 200
    )
    invite(tenant_a, profile.membership)
    response = client.get(url)
    assert response.context["invitation_open"] is True


def test_the_invitation_list_resends_and_revokes(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    profile = _new_worker(tenant_a)
    invitation, _token = invite(tenant_a, profile.membership)
    client = tenant_a.http(tenant_a.staff)
    url = _url("admin:accounts_invitation_changelist")
    assert profile.membership.user.email in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "resend", "_selected_action": [str(invitation.pk)]})
    assert len(mailoutbox) == 1
    with tenant_a.scope():
        latest = Invitation.objects.order_by("-created_at").first()
    client.post(url, {"action": "revoke", "_selected_action": [str(latest.pk)]})
    with tenant_a.scope():
        latest.refresh_from_db()
        assert latest.revoked_at is not None
        assert AccountEvent.objects.filter(kind="invitation_revoked").count() == 1
    response = client.get(url, {"status": "revoked"})
    assert response.context["cl"].result_count == 2


def test_an_activated_person_is_not_invited_again(tenant_a):
    profile = _new_worker(tenant_a)
    invitation, _token = invite(tenant_a, profile.membership)
    with tenant_a.scope():
        Invitation.objects.filter(pk=invitation.pk).update(mobile_verified_at="2026-01-01T00:00Z")
        services.invitation_activate(invitation=invitation, password="Zonnebloem-42!")
    client = tenant_a.http(tenant_a.staff)
    response = client.post(
        _url("admin:staffing_flexworkerprofile_changelist"),
        {"action": "send_invitations", "_selected_action": [str(profile.pk)]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(profile.membership.user.email in m for m in messages)
    with tenant_a.scope():
        assert Invitation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_missing_mobile_number_is_flagged_when_inviting():
    from tests.conftest import make_tenant

    # Committed for real: "sent" is said only once the mail went out, after the commit.
    tenant_a = make_tenant("nomobile")
    profile = _new_worker(tenant_a, phone="")
    client = tenant_a.http(tenant_a.staff)
    response = client.post(
        _url("admin:staffing_flexworkerprofile_changelist"),
        {"action": "send_invitations", "_selected_action": [str(profile.pk)]},
        follow=True,
    )
    levels = [m.level_tag for m in response.context["messages"]]
    assert "warning" in levels and "success" in levels


def test_a_client_contact_is_invited_from_their_page(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    client = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("admin:staffing_clientcontact_changelist"),
            {"action": "send_invitations", "_selected_action": [str(tenant_a.contact.pk)]},
        )
    assert [m.to for m in mailoutbox] == [[tenant_a.contact.membership.user.email]]


def test_staff_invite_a_colleague(tenant_a, mailoutbox, django_capture_on_commit_callbacks):
    client = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("admin:accounts_membership_add"),
            {
                "email": "Collega@Alpha.nl",
                "first_name": "Cor",
                "last_name": "Collega",
                "language": "en",
                "is_active": "on",
                "_send_invitation": "1",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    with tenant_a.scope():
        membership = Membership.objects.get(user__email="collega@alpha.nl")
    assert membership.role == Role.STAFF
    assert [m.to for m in mailoutbox] == [["collega@alpha.nl"]]


def test_a_colleague_who_is_one_already_is_refused_at_the_field(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    response = client.post(
        _url("admin:accounts_membership_add"),
        {"email": tenant_a.staff.user.email, "first_name": "X", "last_name": "Y", "language": "nl"},
    )
    assert "email" in response.context["adminform"].form.errors


def test_someone_known_at_another_agency_gets_a_membership_not_a_second_account(
    tenant_a, tenant_b, mailoutbox, django_capture_on_commit_callbacks
):
    email = tenant_b.worker.membership.user.email
    client = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("admin:staffing_flexworkerprofile_add"),
            {
                "email": email.upper(),
                "language": "nl",
                "employee_number": "A77",
                "first_name": "Dezelfde",
                "last_name": "Persoon",
                "country": "NL",
                "payroll_tax_credit": "apply",
                "_send_invitation": "1",
            },
        )
    assert User.objects.filter(email__iexact=email).count() == 1
    with scopes_disabled():
        assert Membership.objects.filter(user__email=email).count() == 2
    assert len(mailoutbox) == 1


def test_invitations_of_another_agency_are_out_of_reach(tenant_a, tenant_b):
    profile = _new_worker(tenant_b)
    foreign, _token = invite(tenant_b, profile.membership)
    client = tenant_a.http(tenant_a.staff)
    url = _url("admin:accounts_invitation_changelist")
    client.post(url, {"action": "revoke", "_selected_action": [str(foreign.pk)]})
    client.post(
        _url("admin:staffing_flexworkerprofile_changelist"),
        {"action": "revoke_invitations", "_selected_action": [str(profile.pk)]},
    )
    with tenant_b.scope():
        foreign.refresh_from_db()
    assert foreign.revoked_at is None
    assert profile.membership.user.email not in client.get(url).content.decode()


def test_the_audit_list_is_the_agencys_own(tenant_a, tenant_b, django_capture_on_commit_callbacks):
    # "Invitation sent" is recorded once the mail went out, right after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        invite(tenant_b, tenant_b.worker.membership)
        invite(tenant_a, tenant_a.worker.membership)
    response = tenant_a.http(tenant_a.staff).get(_url("admin:accounts_accountevent_changelist"))
    users = {e.user_id for e in response.context["cl"].result_list}
    assert tenant_b.worker.membership.user_id not in users
    assert tenant_a.worker.membership.user_id in users


def test_factories_still_make_people_who_can_log_in(tenant_a):
    # The personas have passwords: an invitation for them is the existing-identity kind.
    invitation, _token = invite(tenant_a, tenant_a.worker.membership)
    assert invitation.membership.user.has_usable_password()
    assert factories.PASSWORD


class _MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def _send_on_the_persons_page(client, profile):
    url = _url("admin:staffing_flexworkerprofile_change", profile.pk)
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "bsn"}
    data.update({"_send_invitation": "1", "bsn": ""})
    return client.post(url, data, follow=True)


@pytest.mark.django_db(transaction=True)
def test_a_resend_that_cannot_be_mailed_keeps_the_working_link_and_says_it_failed(
    settings, mailoutbox
):
    from tests.conftest import make_tenant

    tenant = make_tenant("resend")
    profile = _new_worker(tenant)
    staff = tenant.http(tenant.staff)
    response = _send_on_the_persons_page(staff, profile)
    assert nl("The invitation is sent.") in [str(m) for m in response.context["messages"]]
    first_link = _link(mailoutbox[0])

    settings.EMAIL_BACKEND = "tests.accounts.test_invitations._MailServerDown"
    response = _send_on_the_persons_page(staff, profile)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert nl("The invitation is sent.") not in shown
    failed = nl(
        "The invitation to %(person)s could not be sent just now (the mail log has the "
        "error). An earlier invitation link still works; try again later.",
        person="nieuw@example.nl",
    )
    assert failed in shown, shown
    # The link the person has still works; the one that went nowhere does not exist.
    path = first_link.split("localhost", 1)[1]
    assert open_link(tenant.http(), path).status_code == 302
    with tenant.scope():
        (invitation,) = Invitation.objects.all()
        assert invitation.is_usable
        kinds = list(
            AccountEvent.objects.filter(kind__startswith="invitation").values_list(
                "kind", flat=True
            )
        )
    assert kinds.count("invitation_sent") == 1
    # The person's page still shows the open invitation, not a revoked one.
    page = staff.get(_url("admin:staffing_flexworkerprofile_change", profile.pk))
    assert page.context["invitation_open"] is True


@pytest.mark.django_db(transaction=True)
def test_a_bulk_resend_counts_only_what_went_out(settings):
    from tests.conftest import make_tenant

    tenant = make_tenant("bulkfail")
    profile = _new_worker(tenant)
    settings.EMAIL_BACKEND = "tests.accounts.test_invitations._MailServerDown"
    response = tenant.http(tenant.staff).post(
        _url("admin:staffing_flexworkerprofile_changelist"),
        {"action": "send_invitations", "_selected_action": [str(profile.pk)]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert not any(m.endswith(nl("%(n)d invitation sent.", n=1)[1:]) for m in shown), shown
    assert len(shown) == 1 and "nieuw@example.nl" in shown[0]
    with tenant.scope():
        assert Invitation.objects.count() == 0
