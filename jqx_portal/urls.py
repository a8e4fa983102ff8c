from django.contrib import admin
from django.urls import include, path

from accounts.admin import PortalAdminSite
from channels.api.urls import api_patterns
from channels.status import status_page
from core.favicon import favicon
from core.health import healthz
from desks import views as desk_views
from desks.urls import counter_patterns, hotline_patterns

admin.site.site_header = "交强险服务门户 · 管理后台"
admin.site.site_title = "交强险服务门户"
admin.site.index_title = "主管管理"
admin.site.enable_nav_sidebar = False  # the change lists need the width at 1366 px
# Admin needs a verified second factor and signs in through the portal's login (accounts).
admin.site.__class__ = PortalAdminSite


urlpatterns = [
    path("", desk_views.home, name="home"),
    path("dashboard/", desk_views.dashboard, name="dashboard"),
    path("counter/", include(counter_patterns)),
    path("hotline/", include(hotline_patterns)),
    path("reminders/", include("desks.reminders.urls")),
    path("claims/", include("claims.urls")),
    path("support/", include("support.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", include(api_patterns)),
    path("status", status_page, name="status"),
]
