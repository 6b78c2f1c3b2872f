"""Password-reset keys that belong to one agency.

allauth makes and checks reset keys with ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR. Django's
generator already voids a key when the password, the last login or the e-mail address changes
(single use); this one also mixes in where the key was made: the agency of the request, or the
platform domain. A key mailed by one agency fails the check at every other agency and on the
platform domain, so it never sets a password under another agency's policy or writes into
another agency's audit. (Invitations and address confirmations are bound to their agency by
their own lookups: accounts.selectors.invitation_for_token, accounts.services.email_change_read.)
"""

from allauth.core import context
from django.contrib.auth.tokens import PasswordResetTokenGenerator

from flexportal.tenancy import session_owner


def _where() -> str:
    request = context.request
    if request is None or not hasattr(request, "agency"):
        return "nowhere"  # made or checked outside a portal request: valid in none
    return session_owner(request.agency)


class AgencyPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    def _make_hash_value(self, user, timestamp) -> str:
        return f"{super()._make_hash_value(user, timestamp)}|{_where()}"
