from django.conf import settings
from django.core.checks import Warning, register

from channels.api import ratelimit
from core import health


@register()
def rate_limits_shared(app_configs, **kwargs):
    """Rate limits only hold across processes when they are counted in Redis."""
    if settings.DEBUG or settings.RATE_LIMIT_REDIS_URL:
        return []
    return [
        Warning(
            "API and status-page rate limits are counted per process.",
            hint="Set RATE_LIMIT_REDIS_URL (or a redis:// CACHE_URL) so every process shares them.",
            id="channels.W001",
        )
    ]


def rate_limits_health() -> tuple[str, health.Health]:
    """/healthz's `rate_limits`: redis, degraded (Redis unreachable: per process) or not_configured."""
    state = ratelimit.store_state()
    return state.value, health.Health.DEGRADED if state is ratelimit.StoreState.DEGRADED else health.Health.OK


health.register("rate_limits", rate_limits_health)
