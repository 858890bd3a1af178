from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tracehub.portal"
    label = "portal"
    verbose_name = _("Public query portal")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tracehub.portal.selectors import (
            OPEN_RECALLS_KEY,
            portal_cache,
            product_cache_key,
            product_id_cache_key,
        )
        from tracehub.registry.models import Party, Product
        from tracehub.tracing.models import Recall

        def forget(**kwargs) -> None:
            portal_cache().delete(OPEN_RECALLS_KEY)

        # The page caches a product's master data (per process unless CACHES names a shared cache);
        # a change made in this process shows at once, in the others within
        # TRACEHUB_PORTAL_CACHE_SECONDS.
        def forget_product(instance, **kwargs) -> None:
            keys = [product_id_cache_key(instance.pk)]
            if instance.gtin:
                keys.append(product_cache_key(instance.gtin))
            portal_cache().delete_many(keys)

        def forget_party(instance, **kwargs) -> None:
            keys = []
            for pk, gtin in Product.objects.filter(party=instance).values_list("pk", "gtin"):
                keys.append(product_id_cache_key(pk))
                if gtin:
                    keys.append(product_cache_key(gtin))
            portal_cache().delete_many(keys)

        post_save.connect(forget_product, sender=Product, dispatch_uid="portal-product-save", weak=False)
        post_save.connect(forget_party, sender=Party, dispatch_uid="portal-party-save", weak=False)

        post_save.connect(forget, sender=Recall, dispatch_uid="portal-open-recalls-save", weak=False)
        post_delete.connect(forget, sender=Recall, dispatch_uid="portal-open-recalls-delete", weak=False)
