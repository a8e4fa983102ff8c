"""Liability limits of 交强险 (责任限额, DOMAIN §5), as dated rows.

Per accident, shared by all victims. The date of the accident — or, printed on a policy,
the start of its cover — picks the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LiabilityLimits:
    valid_from: dt.date
    valid_to: dt.date | None
    death_disability: Decimal  # 死亡伤残赔偿限额, at fault
    medical: Decimal  # 医疗费用赔偿限额, at fault
    property: Decimal  # 财产损失赔偿限额, at fault
    no_fault_death_disability: Decimal
    no_fault_medical: Decimal
    no_fault_property: Decimal
    source: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def at_fault_total(self) -> Decimal:
        return self.death_disability + self.medical + self.property

    @property
    def no_fault_total(self) -> Decimal:
        return self.no_fault_death_disability + self.no_fault_medical + self.no_fault_property


LIABILITY_LIMITS = (
    LiabilityLimits(
        valid_from=dt.date(2008, 2, 1),
        valid_to=dt.date(2020, 9, 18),
        death_disability=Decimal("110000"),
        medical=Decimal("10000"),
        property=Decimal("2000"),
        no_fault_death_disability=Decimal("11000"),
        no_fault_medical=Decimal("1000"),
        no_fault_property=Decimal("100"),
        source="DOMAIN §5，2008-02-01 至 2020-09-18",
    ),
    LiabilityLimits(
        valid_from=dt.date(2020, 9, 19),
        valid_to=None,
        death_disability=Decimal("180000"),
        medical=Decimal("18000"),
        property=Decimal("2000"),
        no_fault_death_disability=Decimal("18000"),
        no_fault_medical=Decimal("1800"),
        no_fault_property=Decimal("100"),
        source="DOMAIN §5，2020 年车险综合改革起",
    ),
)


def liability_limits(day: dt.date) -> LiabilityLimits:
    """The limits in force on `day`."""
    for limits in LIABILITY_LIMITS:
        if limits.in_force(day):
            return limits
    raise ValueError(f"no 交强险 liability limits in force on {day:%Y-%m-%d}")
