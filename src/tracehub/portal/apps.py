from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tracehub.portal"
    label = "portal"
    verbose_name = _("Public query portal")

    def ready(self) -> None:
        from django.core.cache import cache
        from django.db.models.signals import post_delete, post_save

        from tracehub.portal.selectors import OPEN_RECALLS_KEY, product_cache_key
        from tracehub.registry.models import Party, Product
        from tracehub.tracing.models import Recall

        def forget(**kwargs) -> None:
            cache.delete(OPEN_RECALLS_KEY)

        # The page caches a product's master data (per process); a change made in this process
        # shows at once, in the others within TRACEHUB_PORTAL_CACHE_SECONDS.
        def forget_product(instance, **kwargs) -> None:
            if instance.gtin:
                cache.delete(product_cache_key(instance.gtin))

        def forget_party(instance, **kwargs) -> None:
            gtins = Product.objects.filter(party=instance).exclude(gtin="").values_list("gtin", flat=True)
            cache.delete_many([product_cache_key(gtin) for gtin in gtins])

        post_save.connect(forget_product, sender=Product, dispatch_uid="portal-product-save", weak=False)
        post_save.connect(forget_party, sender=Party, dispatch_uid="portal-party-save", weak=False)

        post_save.connect(forget, sender=Recall, dispatch_uid="portal-open-recalls-save", weak=False)
        post_delete.connect(forget, sender=Recall, dispatch_uid="portal-open-recalls-delete", weak=False)
