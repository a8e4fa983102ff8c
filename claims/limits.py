"""Liability limits of 交强险 (责任限额, DOMAIN §5) as printed on a policy.

The table itself is data kept by the claims app (`claims.models.LiabilityLimit`, seeded from
DOMAIN §5 and used by the payout engine); a policy prints the row in force at the start of
its cover.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LiabilityLimits:
    death_disability: Decimal  # 死亡伤残赔偿限额, at fault
    medical: Decimal  # 医疗费用赔偿限额, at fault
    property: Decimal  # 财产损失赔偿限额, at fault
    no_fault_death_disability: Decimal
    no_fault_medical: Decimal
    no_fault_property: Decimal

    @property
    def at_fault_total(self) -> Decimal:
        return self.death_disability + self.medical + self.property

    @property
    def no_fault_total(self) -> Decimal:
        return self.no_fault_death_disability + self.no_fault_medical + self.no_fault_property


def liability_limits(day: dt.date) -> LiabilityLimits:
    """The limits in force on `day`, from the claims app's limit table (one query)."""
    from claims.choices import LossCategory
    from claims.selectors import limit_table

    table = limit_table()
    at_fault = table.limits(day=day, at_fault=True)
    no_fault = table.limits(day=day, at_fault=False)
    return LiabilityLimits(
        death_disability=at_fault[LossCategory.DEATH_DISABILITY],
        medical=at_fault[LossCategory.MEDICAL],
        property=at_fault[LossCategory.PROPERTY],
        no_fault_death_disability=no_fault[LossCategory.DEATH_DISABILITY],
        no_fault_medical=no_fault[LossCategory.MEDICAL],
        no_fault_property=no_fault[LossCategory.PROPERTY],
    )
