from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpcisConfig(AppConfig):
    name = "tracehub.epcis"
    label = "epcis"
    verbose_name = _("EPCIS event store")

    def ready(self) -> None:
        from tracehub.epcis import lookups  # noqa: F401 - registers the like_escaped lookup
