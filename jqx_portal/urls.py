from django.contrib import admin
from django.urls import include, path

from accounts.admin import PortalAdminSite
from channels.api.urls import api_patterns
from channels.status import status_page
from core.favicon import favicon
from core.health import healthz
from desks import access_log
from desks import views as desk_views
from desks.policy_list.exports import policy_list_export
from desks.policy_list.views import policy_list
from desks.urls import counter_patterns, hotline_patterns
from history.admin import search_view as history_search

admin.site.site_header = "交强险服务门户 · 管理后台"
admin.site.site_title = "交强险服务门户"
admin.site.index_title = "主管管理"
admin.site.enable_nav_sidebar = False  # the change lists need the width at 1366 px
# Admin needs a verified second factor and signs in through the portal's login (accounts).
admin.site.__class__ = PortalAdminSite


urlpatterns = [
    path("", desk_views.home, name="home"),
    path("dashboard/", desk_views.dashboard, name="dashboard"),
    path("dashboard/refresh/", desk_views.dashboard_refresh, name="dashboard_refresh"),
    path("dashboard/policies/", policy_list, name="dashboard_policies"),
    path("dashboard/policies/export/", policy_list_export, name="dashboard_policies_export"),
    path("dashboard/refresh/status/", desk_views.dashboard_refresh_status, name="dashboard_refresh_status"),
    path("dashboard/access-log/", access_log.access_log, name="access_log"),
    path("dashboard/access-log/export/", access_log.access_log_export, name="access_log_export"),
    path("counter/", include(counter_patterns)),
    path("hotline/", include(hotline_patterns)),
    path("reminders/", include("desks.reminders.urls")),
    path("claims/", include("claims.urls")),
    path("support/", include("support.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/history/", admin.site.admin_view(history_search), name="history_search"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", include(api_patterns)),
    path("status", status_page, name="status"),
]
