from django.urls import path

from claims import exports, views

app_name = "claims"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("approvals/", views.approvals, name="approvals"),
    path("export/", exports.queue_export, name="export"),
    path("report/", views.report, name="report"),
    path("report/vehicle/", views.vehicle_covers, name="vehicle_covers"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:code>/", views.act, name="act"),
]
