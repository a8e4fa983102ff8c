from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "承保与续保"

    def ready(self) -> None:
        from policies import tariffs  # noqa: F401  (connects the cache-clearing signals)
