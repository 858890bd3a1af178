from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tracehub.registry"
    label = "registry"
    verbose_name = _("Registry: parties, filing, locations, products")

    def ready(self) -> None:
        # permissions defines the rule set; console_import and console_codes add the bulk import's
        # and code allocation's menu entries.
        from tracehub.registry import console_codes, console_import, permissions  # noqa: F401
