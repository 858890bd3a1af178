"""The registry in the Django admin, for platform operators: to look, not to write.

Every change goes through the services (audited, validated, notified, DESIGN.md §2), so the admin
shows the registry read-only; operators change it through the API or the console.
"""

from django.contrib import admin

from tracehub.registry.models import (
    CodeAllocation,
    CodeNode,
    Filing,
    FilingStep,
    Licence,
    Location,
    Party,
    Product,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "party_type", "identity_display", "district", "filing_status", "filing_number"]
    list_filter = ["filing_status", "party_type", "district", "sectors__sector"]
    search_fields = ["name", "name_en", "uscc", "filing_number"]
    exclude = ["id_number_protected", "id_number_digest"]

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name for f in Party._meta.fields if f.name not in ("id_number_protected", "id_number_digest")
        ]


class FilingStepInline(admin.TabularInline):
    model = FilingStep
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "at", "actor_label", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ["party", "status", "number", "submitted_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["party__name", "party__uscc", "number"]
    inlines = [FilingStepInline]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["party", "kind", "number", "valid_until", "file_type"]
    list_filter = ["kind"]
    search_fields = ["number", "party__name"]


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["name", "party", "kind", "identifier", "district", "active"]
    list_filter = ["kind", "district", "id_kind"]
    search_fields = ["name", "key", "identifier", "party__name"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "party", "gtin", "platform_code", "active"]
    list_filter = ["sectors__sector"]
    search_fields = ["name", "gtin", "platform_code", "party__name"]


@admin.register(CodeAllocation)
class CodeAllocationAdmin(ReadOnlyAdmin):
    """Who took which range of codes, when (赋码记录); the codes themselves are in the console/API."""

    list_display = ["party", "product", "lot", "scheme", "count", "actor_label", "created_at"]
    list_filter = ["scheme"]
    search_fields = ["party__name", "product__name", "lot"]


@admin.register(CodeNode)
class CodeNodeAdmin(ReadOnlyAdmin):
    list_display = ["party", "district", "node", "created_at"]
    search_fields = ["party__name"]
