from django.contrib import admin

from tracehub.accounts.models import (
    ApiClient,
    AuditEntry,
    Department,
    DepartmentSector,
    Notification,
    UserProfile,
)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "department",
        "key_prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
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


class DepartmentSectorInline(admin.TabularInline):
    model = DepartmentSector
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    """Departments are reference data the operator may extend (a new bureau, a new sector duty)."""

    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    inlines = [DepartmentSectorInline]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department", "districts"]
    list_filter = ["role", "department"]
    search_fields = ["user__username"]
    # Roles are given through the services (accounts.services.user_create), which audit them.
    readonly_fields = [f.name for f in UserProfile._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "text", "read_at"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
