from django.contrib import admin

from tracehub.portal.models import AuthenticityAlert, Report, Scan, ScanCounter


@admin.register(ScanCounter)
class ScanCounterAdmin(admin.ModelAdmin):
    list_display = ("code", "count", "first_at", "last_at", "alerted")
    search_fields = ("code",)
    readonly_fields = ("code", "count", "first_at", "last_at", "last_latitude", "last_longitude", "alerted")


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ("code", "at", "latitude", "longitude", "agent")
    search_fields = ("code",)
    date_hierarchy = "at"


@admin.register(AuthenticityAlert)
class AuthenticityAlertAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "sector", "department", "status", "created_at")
    list_filter = ("kind", "sector", "status")
    search_fields = ("code",)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("code", "category", "sector", "department", "status", "created_at")
    list_filter = ("category", "sector", "status")
    search_fields = ("code", "text")
    exclude = ("client_digest",)
