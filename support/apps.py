from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "客户服务"

    def ready(self):
        from policies.dashboards import register_panel
        from support.reports import dashboard_panel

        register_panel("support/dashboard_panel.html", dashboard_panel, order=30)
