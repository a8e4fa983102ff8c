from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "理赔"

    def ready(self) -> None:
        from claims.figures import claims_panel
        from policies.dashboards import register_panel

        register_panel("claims/panel_dashboard.html", claims_panel, order=20)
