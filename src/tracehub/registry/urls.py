"""URLs of the registry console, under /console/registry/ (docs/consoles.md lists what each role sees)."""

from django.urls import path

from tracehub.registry.views import (
    audit,
    codes,
    events,
    filings,
    licences,
    members,
    notifications,
    parties,
    places,
)

app_name = "registry"

urlpatterns = [
    # Enterprises: sign up, their party and its filing.
    path("register/", parties.register, name="register"),
    path("party/", parties.my_party, name="my-party"),
    path("parties/", parties.party_list, name="party-list"),
    path("parties/<int:pk>/", parties.party_detail, name="party-detail"),
    path("parties/<int:pk>/edit/", parties.party_edit, name="party-edit"),
    path("parties/<int:pk>/reveal/", parties.party_reveal, name="party-reveal"),
    path("parties/<int:pk>/filing/", filings.filing_submit, name="filing-submit"),
    # Filings: the review queue and every decision.
    path("filings/", filings.filing_list, name="filing-list"),
    path("filings/review/", filings.review_queue, name="review-queue"),
    path("filings/<int:pk>/", filings.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/<slug:action>/", filings.filing_act, name="filing-act"),
    # Licences and documents.
    path("licences/", licences.licence_list, name="licence-list"),
    path("licences/expiring/", licences.licence_expiring, name="licence-expiring"),
    path("licences/new/", licences.licence_create, name="licence-create"),
    path("licences/<int:pk>/", licences.licence_detail, name="licence-detail"),
    path("licences/<int:pk>/edit/", licences.licence_edit, name="licence-edit"),
    path("licences/<int:pk>/file/", licences.licence_file, name="licence-file"),
    path("licences/<int:pk>/delete/", licences.licence_delete, name="licence-delete"),
    # Locations and products.
    path("locations/", places.location_list, name="location-list"),
    path("locations/new/", places.location_create, name="location-create"),
    path("locations/<int:pk>/", places.location_detail, name="location-detail"),
    path("locations/<int:pk>/edit/", places.location_edit, name="location-edit"),
    path("products/", places.product_list, name="product-list"),
    path("products/new/", places.product_create, name="product-create"),
    path("products/<int:pk>/", places.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", places.product_edit, name="product-edit"),
    # Code allocation (赋码) and labels (docs/codes.md).
    path("codes/", codes.code_list, name="code-list"),
    path("codes/new/", codes.code_create, name="code-create"),
    path("codes/<int:pk>/", codes.code_detail, name="code-detail"),
    path("codes/<int:pk>/codes.csv", codes.code_csv, name="code-csv"),
    path("codes/<int:pk>/labels/", codes.code_labels, name="code-labels"),
    # A party's staff accounts and API keys.
    path("staff/", members.member_list, name="member-list"),
    path("staff/new/", members.member_create, name="member-create"),
    path("api-keys/", members.apikey_list, name="apikey-list"),
    path("api-keys/new/", members.apikey_create, name="apikey-create"),
    path("api-keys/<int:pk>/revoke/", members.apikey_revoke, name="apikey-revoke"),
    # The event store as the user may read it.
    path("events/", events.event_list, name="event-list"),
    path("events/<int:pk>/", events.event_detail, name="event-detail"),
    path("capture-jobs/", events.capture_job_list, name="capture-job-list"),
    path("capture-jobs/<str:capture_id>/", events.capture_job_detail, name="capture-job-detail"),
    # The audit trail and the user's notifications.
    path("audit/", audit.audit_list, name="audit-list"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read/", notifications.notification_read, name="notification-read"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
]
