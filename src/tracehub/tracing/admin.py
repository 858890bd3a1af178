from django.contrib import admin

from tracehub.tracing.models import Recall


@admin.register(Recall)
class RecallAdmin(admin.ModelAdmin):
    """Recalls are declared through the API (services.recall_declare, with audit); read-only here."""

    list_display = ("recall_id", "identifier", "status", "declared_at", "declared_by_label", "holder_count")
    list_filter = ("status",)
    search_fields = ("recall_id", "identifier", "key", "reason")
    readonly_fields = [field.name for field in Recall._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
