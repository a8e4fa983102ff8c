from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "承保与续保"

    def ready(self) -> None:
        from policies import tariffs  # noqa: F401  (connects the cache-clearing signals)
        from policies.dashboards import register_panel
        from policies.reminders.dashboard import conversion_panel

        register_panel("policies/reminders/dashboard_panel.html", conversion_panel, order=50)
