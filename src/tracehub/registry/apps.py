from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tracehub.registry"
    label = "registry"
    verbose_name = _("Registry: parties, filing, locations, products")

    def ready(self) -> None:
        from tracehub.registry import permissions  # noqa: F401 - defines the rule set
