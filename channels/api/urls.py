from django.urls import path, re_path

from channels.api import views

api_patterns = (
    [
        path("renewal-status", views.renewal_status, name="renewal-status"),
        path("quotes", views.quotes, name="quotes"),
        path("claims/reports", views.claim_reports, name="claim-reports"),
        path("openapi.json", views.openapi_json, name="openapi"),
        path("docs", views.docs, name="docs"),
        # Anything else under /api/v1/ answers in JSON too, never with the HTML 404 page.
        re_path(r"^(?P<path>.*)$", views.unknown_endpoint, name="unknown"),
    ],
    "api",
)
