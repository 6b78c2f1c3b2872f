"""django-allauth adapter: no self sign-up; a person signs in only where they are a member."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.selectors import user_can_log_in_at


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from the back office's invitations only.
        return False

    def authenticate(self, request, **credentials):
        """Refuse people without an active membership of the host's agency.

        They get the same message as a wrong password, so the login page does not reveal who
        has an account at another agency. On the bare platform domain only superusers get in.
        """
        user = super().authenticate(request, **credentials)
        if user is None:
            return None
        agency = getattr(request, "agency", None)
        allowed = (
            user.is_superuser if agency is None else user_can_log_in_at(agency=agency, user=user)
        )
        if not allowed:
            self.authentication_failed(request, **credentials)
            return None
        return user

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")
