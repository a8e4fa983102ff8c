from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "承保与续保"

    def ready(self) -> None:
        from policies import tariffs  # noqa: F401  (connects the cache-clearing signals)
        from policies.api import admin, checks  # noqa: F401  (registers the API's admin and checks)
        from policies.api.figures import usage_panel
        from policies.dashboards import register_panel
        from policies.reminders.dashboard import conversion_panel

        register_panel("api/usage_panel.html", usage_panel, order=50)
        register_panel("policies/reminders/dashboard_panel.html", conversion_panel, order=60)
