"""Enumerations of the 交强险 domain (codes stored in the database, labels shown in Chinese)."""

from django.db import models


class Province(models.TextChoices):
    """The 31 provincial regions of the mainland (docs/regulation.md §2)."""

    BEIJING = "北京"
    TIANJIN = "天津"
    HEBEI = "河北"
    SHANXI = "山西"
    NEIMENGGU = "内蒙古"
    LIAONING = "辽宁"
    JILIN = "吉林"
    HEILONGJIANG = "黑龙江"
    SHANGHAI = "上海"
    JIANGSU = "江苏"
    ZHEJIANG = "浙江"
    ANHUI = "安徽"
    FUJIAN = "福建"
    JIANGXI = "江西"
    SHANDONG = "山东"
    HENAN = "河南"
    HUBEI = "湖北"
    HUNAN = "湖南"
    GUANGDONG = "广东"
    GUANGXI = "广西"
    HAINAN = "海南"
    CHONGQING = "重庆"
    SICHUAN = "四川"
    GUIZHOU = "贵州"
    YUNNAN = "云南"
    XIZANG = "西藏"
    SHAANXI = "陕西"
    GANSU = "甘肃"
    QINGHAI = "青海"
    NINGXIA = "宁夏"
    XINJIANG = "新疆"


class PremiumCategory(models.TextChoices):
    """The base-premium categories of the 2008 table (docs/regulation.md §1)."""

    FAMILY_LT6 = "FAMILY_LT6", "家庭自用汽车 6座以下"
    FAMILY_GE6 = "FAMILY_GE6", "家庭自用汽车 6座及以上"
    ENTERPRISE_LT6 = "ENTERPRISE_LT6", "企业非营业汽车 6座以下"
    ENTERPRISE_6_10 = "ENTERPRISE_6_10", "企业非营业汽车 6-10座"
    ENTERPRISE_10_20 = "ENTERPRISE_10_20", "企业非营业汽车 10-20座"
    ENTERPRISE_GE20 = "ENTERPRISE_GE20", "企业非营业汽车 20座以上"
    GOVT_LT6 = "GOVT_LT6", "机关非营业汽车 6座以下"
    GOVT_6_10 = "GOVT_6_10", "机关非营业汽车 6-10座"
    GOVT_10_20 = "GOVT_10_20", "机关非营业汽车 10-20座"
    GOVT_GE20 = "GOVT_GE20", "机关非营业汽车 20座以上"
    TAXI_LT6 = "TAXI_LT6", "营业出租租赁 6座以下"
    TAXI_6_10 = "TAXI_6_10", "营业出租租赁 6-10座"
    TAXI_10_20 = "TAXI_10_20", "营业出租租赁 10-20座"
    TAXI_20_36 = "TAXI_20_36", "营业出租租赁 20-36座"
    TAXI_GE36 = "TAXI_GE36", "营业出租租赁 36座以上"
    BUS_6_10 = "BUS_6_10", "营业城市公交 6-10座"
    BUS_10_20 = "BUS_10_20", "营业城市公交 10-20座"
    BUS_20_36 = "BUS_20_36", "营业城市公交 20-36座"
    BUS_GE36 = "BUS_GE36", "营业城市公交 36座以上"
    COACH_6_10 = "COACH_6_10", "营业公路客运 6-10座"
    COACH_10_20 = "COACH_10_20", "营业公路客运 10-20座"
    COACH_20_36 = "COACH_20_36", "营业公路客运 20-36座"
    COACH_GE36 = "COACH_GE36", "营业公路客运 36座以上"
    TRUCK_LT2 = "TRUCK_LT2", "非营业货车 2吨以下"
    TRUCK_2_5 = "TRUCK_2_5", "非营业货车 2-5吨"
    TRUCK_5_10 = "TRUCK_5_10", "非营业货车 5-10吨"
    TRUCK_GE10 = "TRUCK_GE10", "非营业货车 10吨以上"
    FREIGHT_LT2 = "FREIGHT_LT2", "营业货车 2吨以下"
    FREIGHT_2_5 = "FREIGHT_2_5", "营业货车 2-5吨"
    FREIGHT_5_10 = "FREIGHT_5_10", "营业货车 5-10吨"
    FREIGHT_GE10 = "FREIGHT_GE10", "营业货车 10吨以上"
    SPECIAL_1 = "SPECIAL_1", "特种车一（油罐、汽罐、液罐）"
    SPECIAL_2 = "SPECIAL_2", "特种车二（其他罐式、清障、清扫、起重、搅拌、冷藏、保温等专用车）"
    SPECIAL_3 = "SPECIAL_3", "特种车三（监测、消防、医疗、电视转播等）"
    SPECIAL_4 = "SPECIAL_4", "特种车四（集装箱拖头）"
    MOTO_LE50 = "MOTO_LE50", "摩托车 50CC及以下"
    MOTO_50_250 = "MOTO_50_250", "摩托车 50-250CC（含）"
    MOTO_GT250 = "MOTO_GT250", "摩托车 250CC以上及侧三轮"


# Passenger cars of at most 9 seats: the categories the vehicle-and-vessel-tax schedule
# by displacement covers (docs/regulation.md §8). Bands of docs/regulation.md §1 "6-10座" mean 6 ≤ seats < 10.
PASSENGER_CAR_CATEGORIES = frozenset(
    {
        PremiumCategory.FAMILY_LT6,
        PremiumCategory.FAMILY_GE6,
        PremiumCategory.ENTERPRISE_LT6,
        PremiumCategory.ENTERPRISE_6_10,
        PremiumCategory.GOVT_LT6,
        PremiumCategory.GOVT_6_10,
        PremiumCategory.TAXI_LT6,
        PremiumCategory.TAXI_6_10,
        PremiumCategory.BUS_6_10,
        PremiumCategory.COACH_6_10,
    }
)


class EnergyType(models.TextChoices):
    FUEL = "fuel", "燃油"
    ELECTRIC = "electric", "纯电动"
    HYBRID = "hybrid", "混合动力"
    FUEL_CELL = "fuel_cell", "燃料电池"


TAX_EXEMPT_ENERGY = frozenset({EnergyType.ELECTRIC, EnergyType.FUEL_CELL})


class FloatingPlan(models.TextChoices):
    """The five regional floating-rate plans of the 2020 reform (docs/regulation.md §2), and the one
    national table that applied before it."""

    N = "N", "全国统一（2020-09-19 前）"
    A = "A", "方案 A"
    B = "B", "方案 B"
    C = "C", "方案 C"
    D = "D", "方案 D"
    E = "E", "方案 E"


class FloatingReason(models.TextChoices):
    """Reason codes of the floating rate (docs/regulation.md §2)."""

    A0 = "A0", "首次投保或无记录，不浮动"
    A1 = "A1", "上一年度未发生有责任道路交通事故"
    A2 = "A2", "上两个年度未发生有责任道路交通事故"
    A3 = "A3", "上三个及以上年度未发生有责任道路交通事故"
    A4 = "A4", "上一年度发生一次有责任不涉及死亡的道路交通事故"
    A5 = "A5", "上一年度发生两次及两次以上有责任道路交通事故"
    A6 = "A6", "上一年度发生有责任道路交通死亡事故"


class SalesChannel(models.TextChoices):
    COUNTER = "counter", "柜面"
    HOTLINE = "hotline", "电话"
    WEBSITE = "website", "官网"
    APP = "app", "APP"
    MINI_PROGRAM = "mini_program", "微信小程序"
    DEALER = "dealer", "4S店/车商"
    AGENT = "agent", "代理人"


class TermKind(models.TextChoices):
    """Annual cover, or one of the three short terms the law allows (条例 Art. 20)."""

    ANNUAL = "annual", "一年期"
    TEMPORARY_ENTRY = "temporary_entry", "境外机动车临时入境"
    TEMPORARY_ROAD = "temporary_road", "机动车临时上道路行驶"
    NEAR_SCRAP = "near_scrap", "距报废期限不足一年"


# Short-term cover for temporary entry and temporary road use does not float (docs/regulation.md §3).
NON_FLOATING_TERMS = frozenset({TermKind.TEMPORARY_ENTRY, TermKind.TEMPORARY_ROAD})


class PolicyStatus(models.TextChoices):
    IN_FORCE = "in_force", "有效"
    CANCELLED = "cancelled", "已退保"


class CancelReason(models.TextChoices):
    """The only grounds for cancelling 交强险 (条例 Art. 16, docs/regulation.md §3)."""

    DEREGISTERED = "deregistered", "车辆注销登记（报废、出口、灭失）"
    LAID_UP = "laid_up", "车辆办理停驶"
    LOST = "lost", "车辆被盗抢经公安机关证实"


# Grounds after which the vehicle may come back on the road and be insured again at the
# counter (a laid-up vehicle returning, a stolen one recovered); a deregistered one may not.
RESUMABLE_CANCEL_REASONS = frozenset({CancelReason.LAID_UP, CancelReason.LOST})


class PaymentMethod(models.TextChoices):
    """How a customer paid the premium at the counter, or how a refund went back."""

    CASH = "cash", "现金"
    BANK_CARD = "bank_card", "银行卡"
    MOBILE = "mobile", "移动支付"
    TRANSFER = "transfer", "转账"


class PremiumEntryKind(models.TextChoices):
    CHARGE = "charge", "收费"
    REFUND = "refund", "退费"


class DrinkDrivingKind(models.TextChoices):
    """The two drink-driving offences of 交安法 Art. 91."""

    DRINKING = "drinking", "饮酒后驾驶"
    DRUNK = "drunk", "醉酒驾驶"


class RenewalStatus(models.TextChoices):
    """A vehicle's renewal status on a day (docs/regulation.md §4)."""

    RENEWED = "renewed", "已续保"
    IN_FORCE = "in_force", "保障中"
    DUE = "due", "待续保"
    LAPSED = "lapsed", "已脱保"
    CANCELLED = "cancelled", "已退保"
    UPCOMING = "upcoming", "待生效"  # the vehicle's first cover with us starts after the day
