"""Seed the regulator's tables from DOMAIN.md (§1 base premium, §2 floating plans and
rates, §3 short-term rates, §4 renewal window, §8 vehicle and vessel tax demo schedule)."""

import datetime as dt
from decimal import Decimal as D

from django.db import migrations

TABLE_2008 = dt.date(2008, 2, 1)
REFORM_2020 = dt.date(2020, 9, 19)
BEFORE_REFORM = dt.date(2020, 9, 18)
TAX_LAW_2012 = dt.date(2012, 1, 1)

BASE_PREMIUMS = {  # DOMAIN §1
    "FAMILY_LT6": "950", "FAMILY_GE6": "1100",
    "ENTERPRISE_LT6": "1000", "ENTERPRISE_6_10": "1130", "ENTERPRISE_10_20": "1220", "ENTERPRISE_GE20": "1270",
    "GOVT_LT6": "950", "GOVT_6_10": "1070", "GOVT_10_20": "1140", "GOVT_GE20": "1320",
    "TAXI_LT6": "1800", "TAXI_6_10": "2360", "TAXI_10_20": "2400", "TAXI_20_36": "2560", "TAXI_GE36": "3530",
    "BUS_6_10": "2250", "BUS_10_20": "2520", "BUS_20_36": "3020", "BUS_GE36": "3140",
    "COACH_6_10": "2350", "COACH_10_20": "2620", "COACH_20_36": "3420", "COACH_GE36": "4690",
    "TRUCK_LT2": "1200", "TRUCK_2_5": "1470", "TRUCK_5_10": "1650", "TRUCK_GE10": "2220",
    "FREIGHT_LT2": "1850", "FREIGHT_2_5": "3070", "FREIGHT_5_10": "3450", "FREIGHT_GE10": "4480",
    "SPECIAL_1": "3710", "SPECIAL_2": "2430", "SPECIAL_3": "1080", "SPECIAL_4": "3980",
    "MOTO_LE50": "80", "MOTO_50_250": "120", "MOTO_GT250": "400",
}  # fmt: skip

PLAN_REGIONS = {  # DOMAIN §2, from 2020-09-19
    "A": ["内蒙古", "海南", "青海", "西藏"],
    "B": ["陕西", "云南", "广西"],
    "C": ["甘肃", "吉林", "山西", "黑龙江", "新疆"],
    "D": ["北京", "天津", "河北", "宁夏"],
    "E": [
        "江苏", "浙江", "安徽", "上海", "湖南", "湖北", "江西", "辽宁", "河南", "福建", "重庆",
        "山东", "广东", "四川", "贵州", "深圳", "厦门", "大连", "青岛", "宁波",
    ],
}  # fmt: skip

RATES_2020 = {  # DOMAIN §2: reason → rate for plans A, B, C, D, E
    "A1": ("-0.30", "-0.25", "-0.20", "-0.15", "-0.10"),
    "A2": ("-0.40", "-0.35", "-0.30", "-0.25", "-0.20"),
    "A3": ("-0.50", "-0.45", "-0.40", "-0.35", "-0.30"),
    "A4": ("0", "0", "0", "0", "0"),
    "A5": ("0.10", "0.10", "0.10", "0.10", "0.10"),
    "A6": ("0.30", "0.30", "0.30", "0.30", "0.30"),
    "A0": ("0", "0", "0", "0", "0"),
}
RATES_NATIONAL = {
    "A1": "-0.10",
    "A2": "-0.20",
    "A3": "-0.30",
    "A4": "0",
    "A5": "0.10",
    "A6": "0.30",
    "A0": "0",
}
VERIFY = {("A1", p) for p in "ABCDE"} | {("A2", p) for p in "ABCDE"} | {("A3", p) for p in "BCD"}

SHORT_TERM = [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100]  # DOMAIN §3 (verify)

TAX_BANDS = [  # DOMAIN §8 demo schedule: (above, up to and including, yuan a year)
    ("0", "1.0", "180"), ("1.0", "1.6", "300"), ("1.6", "2.0", "360"), ("2.0", "2.5", "720"),
    ("2.5", "3.0", "1800"), ("3.0", "4.0", "3000"), ("4.0", None, "4500"),
]  # fmt: skip


def seed(apps, schema_editor):
    BasePremiumRate = apps.get_model("policies", "BasePremiumRate")
    FloatingPlanRegion = apps.get_model("policies", "FloatingPlanRegion")
    FloatingRate = apps.get_model("policies", "FloatingRate")
    ShortTermRate = apps.get_model("policies", "ShortTermRate")
    VehicleTaxRate = apps.get_model("policies", "VehicleTaxRate")
    ProvinceRule = apps.get_model("policies", "ProvinceRule")

    BasePremiumRate.objects.bulk_create(
        BasePremiumRate(category=c, amount=D(a), valid_from=TABLE_2008, source="DOMAIN §1，2008 年费率表")
        for c, a in BASE_PREMIUMS.items()
    )
    FloatingPlanRegion.objects.create(
        region="", plan="N", valid_from=TABLE_2008, valid_to=BEFORE_REFORM, source="DOMAIN §2，改革前全国统一"
    )
    FloatingPlanRegion.objects.bulk_create(
        FloatingPlanRegion(
            region=r, plan=plan, valid_from=REFORM_2020, source="DOMAIN §2，2020 年车险综合改革"
        )
        for plan, regions in PLAN_REGIONS.items()
        for r in regions
    )
    FloatingRate.objects.bulk_create(
        [
            FloatingRate(plan="N", reason=reason, rate=D(rate), valid_from=TABLE_2008, valid_to=BEFORE_REFORM,
                         source="DOMAIN §2，2020-09-19 前全国统一浮动表")
            for reason, rate in RATES_NATIONAL.items()
        ]
        + [
            FloatingRate(
                plan=plan, reason=reason, rate=D(rates[i]), valid_from=REFORM_2020,
                source="DOMAIN §2" + ("（待核实）" if (reason, plan) in VERIFY else ""),
            )
            for reason, rates in RATES_2020.items()
            for i, plan in enumerate("ABCDE")
        ]
    )  # fmt: skip
    ShortTermRate.objects.bulk_create(
        ShortTermRate(months=m, percent=D(p), valid_from=TABLE_2008, source="DOMAIN §3（待核实）")
        for m, p in enumerate(SHORT_TERM, start=1)
    )
    VehicleTaxRate.objects.bulk_create(
        VehicleTaxRate(
            province="", displacement_above=D(lo), displacement_up_to=D(hi) if hi else None,
            annual_amount=D(amount), valid_from=TAX_LAW_2012, source="DOMAIN §8 演示税额表",
        )
        for lo, hi, amount in TAX_BANDS
    )  # fmt: skip
    ProvinceRule.objects.create(
        province="", advance_renewal_days=90, immediate_cover=False, valid_from=TABLE_2008,
        source="DOMAIN §4：默认提前 90 天续保",
    )  # fmt: skip


def unseed(apps, schema_editor):
    for name in (
        "BasePremiumRate",
        "FloatingPlanRegion",
        "FloatingRate",
        "ShortTermRate",
        "VehicleTaxRate",
        "ProvinceRule",
    ):
        apps.get_model("policies", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_postgres_overlap_exclusion")]
    operations = [migrations.RunPython(seed, unseed)]
