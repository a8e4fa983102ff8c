from django.conf import settings
from django.core.checks import Warning, register


@register()
def rate_limits_shared(app_configs, **kwargs):
    """Rate limits only hold across processes when they are counted in Redis."""
    if settings.DEBUG or settings.RATE_LIMIT_REDIS_URL:
        return []
    return [
        Warning(
            "API and status-page rate limits are counted per process.",
            hint="Set RATE_LIMIT_REDIS_URL (or a redis:// CACHE_URL) so every process shares them.",
            id="policies.W001",
        )
    ]
