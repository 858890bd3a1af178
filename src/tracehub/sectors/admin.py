"""The sector records in the Django admin, for platform operators: to look, not to write (every
change goes through the services, audited, DESIGN.md §2)."""

from django.contrib import admin

from tracehub.sectors.models import StepImport, TradeVoucher


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TradeVoucher)
class TradeVoucherAdmin(ReadOnlyAdmin):
    list_display = ("code", "stall", "seller", "buyer", "amount", "sold_at", "status")
    list_filter = ("status", "district")
    search_fields = ("code", "seller__name", "buyer__name")


@admin.register(StepImport)
class StepImportAdmin(ReadOnlyAdmin):
    list_display = ("id", "step", "uploaded_by", "status", "created_at", "committed_at")
    list_filter = ("status", "step")
