from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The deployment checks, and the delivery tasks (they hand notifications.services the
        # queue that deliver_after_commit uses).
        from notifications import checks, tasks  # noqa: F401
