from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorsConfig(AppConfig):
    name = "tracehub.sectors"
    label = "sectors"
    verbose_name = _("Sector subsystems")

    def ready(self) -> None:
        # The profiles register themselves on import; capture consults them through the plug-in
        # registry of the event store (tracehub.epcis.profiles), never by importing this app.
        from tracehub.epcis.profiles import register_event_checker
        from tracehub.sectors import console, profiles  # noqa: F401
        from tracehub.sectors.profile import check_event

        register_event_checker(check_event)
