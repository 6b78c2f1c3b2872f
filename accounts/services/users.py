"""People and memberships: the identity behind every role."""

from django.conf import settings

from accounts.models import Membership, User
from agencies.models import Agency
from flexportal.validators import normalise_mobile_number

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def user_set_language(*, user: User, language: str) -> None:
    if language in LANGUAGE_CODES and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_get_or_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "nl",
    mobile_number: str = "",
) -> User:
    """One identity per e-mail address across all agencies."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            preferred_language=language,
            mobile_number=normalise_mobile_number(mobile_number) if mobile_number else "",
        )
        user.set_unusable_password()
        user.save()
    return user


def membership_ensure(*, agency: Agency, user: User, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(agency=agency, user=user, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    return membership
