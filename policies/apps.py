from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "承保与续保"

    def ready(self) -> None:
        from policies import branches, tariffs  # noqa: F401  (connect the cache-clearing signals)
