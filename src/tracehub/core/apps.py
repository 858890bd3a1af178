from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tracehub.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from tracehub.core import checks  # noqa: F401 - registers the system checks

        # Every installed app's console.py adds its entries to the console menu (core/console.py).
        autodiscover_modules("console")
