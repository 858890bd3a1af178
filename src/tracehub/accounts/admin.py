from django.contrib import admin

from tracehub.accounts.models import ApiClient, AuditEntry


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "key_prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    search_fields = ["name", "key_prefix"]
    # Keys are created and revoked through the services (tracehub create_api_key / revoke_api_key)
    # so that each change is audited; the admin only shows them.
    readonly_fields = [f.name for f in ApiClient._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
