"""Loads the tariff tables from the database into a `pricing.TariffBook`.

The tables are small and change rarely, so each process keeps one book for a few
minutes; saving a row in admin clears this process's copy at once.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from policies import models
from policies.pricing import ProvinceSettings, Row, TariffBook, TaxBand

_lock = threading.Lock()
_cached: tuple[float, TariffBook] | None = None


def load_tariff_book() -> TariffBook:
    """Read every tariff table (six queries)."""

    def rows(qs, key, value):
        return tuple(Row(key(r), value(r), r.valid_from, r.valid_to) for r in qs)

    return TariffBook(
        base_premiums=rows(models.BasePremiumRate.objects.all(), lambda r: (r.category,), lambda r: r.amount),
        plan_regions=rows(models.FloatingPlanRegion.objects.all(), lambda r: (r.region,), lambda r: r.plan),
        floating_rates=rows(
            models.FloatingRate.objects.all(), lambda r: (r.plan, r.reason), lambda r: r.rate
        ),
        short_term=rows(models.ShortTermRate.objects.all(), lambda r: (r.months,), lambda r: r.percent),
        tax_bands=rows(
            models.VehicleTaxRate.objects.order_by("displacement_above"),
            lambda r: (r.province,),
            lambda r: TaxBand(r.displacement_above, r.displacement_up_to, r.annual_amount),
        ),
        province_rules=rows(
            models.ProvinceRule.objects.all(),
            lambda r: (r.province,),
            lambda r: ProvinceSettings(r.advance_renewal_days, r.immediate_cover, r.drink_driving_surcharge),
        ),
    )


def tariff_book() -> TariffBook:
    """The tariff book of this process, reloaded after `TARIFF_CACHE_SECONDS`."""
    global _cached
    with _lock:
        now = time.monotonic()
        if _cached is None or _cached[0] < now:
            _cached = (now + settings.TARIFF_CACHE_SECONDS, load_tariff_book())
        return _cached[1]


def advance_window_words(day, *, book: TariffBook | None = None) -> str:
    """The advance-renewal window in words for texts that speak for every province
    (docs/regulation.md §4): "止期前 90 天内", with the provinces whose rule differs, e.g.
    "止期前 90 天内（海南 60 天）"."""
    from policies.choices import Province

    book = book or tariff_book()
    default = book.province_settings("", day).advance_renewal_days
    others = [
        f"{p} {days} 天"
        for p in Province.values
        if (days := book.province_settings(p, day).advance_renewal_days) != default
    ]
    return f"止期前 {default} 天内" + (f"（{'、'.join(others)}）" if others else "")


def clear_tariff_cache(**kwargs) -> None:
    global _cached
    with _lock:
        _cached = None


for _model in (
    models.BasePremiumRate,
    models.FloatingPlanRegion,
    models.FloatingRate,
    models.ShortTermRate,
    models.VehicleTaxRate,
    models.ProvinceRule,
):
    post_save.connect(clear_tariff_cache, sender=_model, dispatch_uid=f"tariff-save-{_model.__name__}")
    post_delete.connect(clear_tariff_cache, sender=_model, dispatch_uid=f"tariff-del-{_model.__name__}")
