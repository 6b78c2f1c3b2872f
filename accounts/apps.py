from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the account's message kinds (and the language of every message) with the
        # mail log.
        from accounts import notifications  # noqa: F401
        from flexportal import client_ip  # noqa: F401 - registers its deployment check
