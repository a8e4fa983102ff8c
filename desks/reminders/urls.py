from django.urls import path

from desks.reminders import exports
from desks.reminders import views as reminders

app_name = "reminders"

urlpatterns = [
    path("", reminders.overview, name="overview"),
    path("failed/", reminders.failed, name="failed"),
    path("failed/export/", exports.failed_export, name="failed_export"),
    path("failed/<int:pk>/resend/", reminders.resend, name="resend"),
    path("conversion/", reminders.conversion, name="conversion"),
    path("conversion/refresh/", reminders.refresh_conversion, name="refresh_conversion"),
]
