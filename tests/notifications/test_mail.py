"""One mail path: subject, text and HTML from templates/notifications/<kind>.*, in the
recipient's language, with the agency's branding and an absolute link to its subdomain."""

import pytest

from notifications.services import mail_send

pytestmark = pytest.mark.django_db


def test_a_mail_has_text_html_branding_and_an_absolute_link(tenant_a, mailoutbox):
    user = tenant_a.worker.membership.user
    user.preferred_language = "en"
    user.save()
    mail_send(
        agency=tenant_a.agency,
        to_user=user,
        kind="password_reset",
        deep_link_path="/accounts/password/reset/key/x-y/",
    )
    (message,) = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "Choose a new password for Alpha Uitzendbureau"
    assert "http://alpha.localhost/accounts/password/reset/key/x-y/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert tenant_a.agency.primary_colour in html
    assert message.extra_headers["Content-Language"] == "en"


def test_a_mail_can_go_to_an_address_being_confirmed(tenant_a, mailoutbox):
    user = tenant_a.worker.membership.user
    mail_send(
        agency=tenant_a.agency,
        to_user=user,
        to_email="nieuw@example.nl",
        kind="email_change",
        context={"new_email": "nieuw@example.nl", "valid_days": 3},
        deep_link_path="/email/confirm/abc/",
    )
    assert mailoutbox[0].to == ["nieuw@example.nl"]


@pytest.mark.parametrize("language", ["nl", "en", "de", "pl", "ro", "bg", "hu", "pt"])
def test_a_mail_is_written_out_as_django_writes_it_only_faster(tenant_a, mailoutbox, language):
    """Headers as they are (and our own boundary) give the very bytes compat32's folding gives,
    long and encoded (non-ASCII) headers included."""
    from email.policy import compat32

    user = tenant_a.worker.membership.user
    user.preferred_language = language
    user.first_name = "Zoë Łucja Ștefănescu-Иванова"
    user.save()
    tenant_a.agency.name = "Uitzendbureau Zoë & Łucja, met een naam die de regel vol maakt B.V."
    tenant_a.agency.contact_email = "planning@alpha.nl"
    tenant_a.agency.save()
    for kind, context in [
        ("password_reset", {}),
        ("email_change", {"new_email": "nieuw@example.nl", "valid_days": 3}),
    ]:
        mail_send(
            agency=tenant_a.agency,
            to_user=user,
            kind=kind,
            context=context,
            deep_link_path="/x/",
            message_id="<notification.1234@alpha.localhost>",
        )
    for sent in mailoutbox:
        message = sent.message()
        fast = message.as_bytes(linesep="\r\n")
        message.policy = compat32
        assert fast == message.as_bytes(linesep="\r\n")
        assert b"From: \r\n =?utf-8?q?Uitzendbureau_Zo=C3=AB" in fast  # encoded and folded
