"""django-allauth adapter: no self sign-up; a person signs in only where they are a member.

It also ties allauth's flows into the portal: the agency's password policy, the session clock,
audit and second-factor state at login (accounts.auth), the password-reset mail through the one
mail path (notifications.services.mail_send), and the end of other sessions on a new password.
"""

from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.urls import reverse

from accounts import auth, services
from accounts.middleware import speak_language_of
from accounts.models import AccountEventKind, User
from accounts.selectors import user_can_log_in_at
from flexportal.client_ip import client_ip
from notifications.models import Kind as MailKind
from notifications.services import account_mail_send


def _path_and_fragment(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}#{parts.fragment}" if parts.fragment else parts.path


def _current_request():
    return getattr(context, "request", None)


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """Every rate limit of allauth counts per client, read as flexportal.client_ip says."""
        return client_ip(request) or super().get_client_ip(request)

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
            self.authentication_failed(request, refused=True, **credentials)
            return None
        return user

    def authentication_failed(self, request, refused: bool = False, **credentials) -> None:
        """A wrong password for one of this agency's people goes into their login history."""
        agency = getattr(request, "agency", None)
        email = credentials.get("email") or credentials.get("username") or ""
        if agency is None or refused or not email:
            return
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and user_can_log_in_at(agency=agency, user=user):
            services.account_event_record(
                agency=agency,
                kind=AccountEventKind.LOGIN_FAILED,
                user=user,
                client=services.ClientInfo.from_request(request),
            )

    def login(self, request, user) -> None:
        super().login(request, user)
        auth.signed_in(request, user)
        # The browser's language served the login page; from the "signed in" message on, the
        # person's own language speaks (allauth adds that message right after this).
        speak_language_of(request, user)

    def logout(self, request) -> None:
        auth.signed_out(request)
        super().logout(request)

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")

    def get_password_change_redirect_url(self, request) -> str:
        return reverse("security") if getattr(request, "agency", None) else reverse("home")

    def clean_password(self, password, user=None):
        """Django's validators plus the agency's policy (length, letter, digit, special)."""
        request = _current_request()
        if user is not None and request is not None:
            user._policy_agency = getattr(request, "agency", None)
        return super().clean_password(password, user)

    def set_password(self, user, password) -> None:
        """A new password (changed or reset) ends the person's other sessions everywhere."""
        super().set_password(user, password)
        request = _current_request()
        signed_in_here = (
            request is not None and request.user.is_authenticated and request.user.pk == user.pk
        )
        services.password_changed_record(
            agency=getattr(request, "agency", None),
            user=user,
            keep_session_key=request.session.session_key if signed_in_here else None,
            reset=not signed_in_here,
            client=services.ClientInfo.from_request(request) if request is not None else None,
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        """The reset link carries its key after '#' (views, "One-time links")."""
        return self.request.build_absolute_uri(f"{reverse('account_reset_password_link')}#{key}")

    def send_password_reset_mail(self, user, email, context) -> None:
        request = _current_request()
        agency = getattr(request, "agency", None)
        if agency is None:  # the platform domain: allauth's own mail
            return super().send_password_reset_mail(user, email, context)
        account_mail_send(
            agency=agency,
            user=user,
            kind=MailKind.PASSWORD_RESET,
            to_email=email if email != user.email else "",
            deep_link_path=reverse("account_reset_password"),
            link_path=_path_and_fragment(context["password_reset_url"]),
        )
