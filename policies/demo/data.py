"""The fixed tables the demo data is drawn from: branches, districts, makes and models,
the mix of vehicle categories, renewal statuses and sales channels."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from policies.choices import EnergyType, PremiumCategory, RenewalStatus, SalesChannel

D = Decimal


@dataclass(frozen=True)
class DemoBranch:
    code: str
    name: str
    province: str
    city: str
    plate_prefixes: tuple[str, ...]
    districts: tuple[tuple[str, str], ...]  # (ID-number area code, district name)
    weight: float


# Several provinces of every floating plan (docs/regulation.md §2): E 江苏/浙江 and the city 深圳,
# D 北京, B 陕西, C 吉林, A 海南. Codes carry a DEMO- prefix: they never meet a real network.
BRANCHES = (
    DemoBranch(
        "DEMO-320100", "南京中山路营业部", "江苏", "南京", ("苏A",),
        (("320102", "玄武区"), ("320104", "秦淮区"), ("320105", "建邺区"), ("320106", "鼓楼区"),
         ("320113", "栖霞区"), ("320114", "雨花台区"), ("320115", "江宁区"), ("320111", "浦口区")),
        0.20,
    ),
    DemoBranch(
        "DEMO-320500", "苏州工业园区营业部", "江苏", "苏州", ("苏E",),
        (("320505", "虎丘区"), ("320506", "吴中区"), ("320507", "相城区"), ("320508", "姑苏区"),
         ("320509", "吴江区")),
        0.11,
    ),
    DemoBranch(
        "DEMO-330100", "杭州西湖营业部", "浙江", "杭州", ("浙A",),
        (("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"), ("330108", "滨江区"),
         ("330109", "萧山区"), ("330110", "余杭区")),
        0.10,
    ),
    DemoBranch(
        "DEMO-440300", "深圳福田营业部", "广东", "深圳", ("粤B",),
        (("440303", "罗湖区"), ("440304", "福田区"), ("440305", "南山区"), ("440306", "宝安区"),
         ("440307", "龙岗区"), ("440308", "盐田区")),
        0.12,
    ),
    DemoBranch(
        "DEMO-110100", "北京朝阳营业部", "北京", "北京",
        ("京A", "京B", "京C", "京E", "京F", "京G", "京H", "京J", "京K", "京L", "京M", "京N", "京P", "京Q"),
        (("110101", "东城区"), ("110102", "西城区"), ("110105", "朝阳区"), ("110106", "丰台区"),
         ("110108", "海淀区"), ("110114", "昌平区"), ("110115", "大兴区")),
        0.17,
    ),
    DemoBranch(
        "DEMO-610100", "西安雁塔营业部", "陕西", "西安", ("陕A", "陕U"),
        (("610102", "新城区"), ("610103", "碑林区"), ("610104", "莲湖区"), ("610111", "灞桥区"),
         ("610112", "未央区"), ("610113", "雁塔区"), ("610116", "长安区")),
        0.10,
    ),
    DemoBranch(
        "DEMO-220100", "长春朝阳营业部", "吉林", "长春", ("吉A",),
        (("220102", "南关区"), ("220103", "宽城区"), ("220104", "朝阳区"), ("220105", "二道区"),
         ("220106", "绿园区")),
        0.09,
    ),
    DemoBranch(
        "DEMO-460100", "海口龙华营业部", "海南", "海口", ("琼A",),
        (("460105", "秀英区"), ("460106", "龙华区"), ("460107", "琼山区"), ("460108", "美兰区")),
        0.11,
    ),
)  # fmt: skip
DEMO_BRANCH_CODES = tuple(b.code for b in BRANCHES)
DEMO_RULE_SOURCE = "docs/regulation.md §4（演示数据）"  # province rules the demo adds and its reset removes

# People born elsewhere who live and insure their cars in a demo city.
MIGRANT_AREAS = ("360426", "430104", "510104", "410102", "420102", "370102", "340104", "130102")

# Demo staff: (username, surname, given name, role, branch code). Role names: policies.roles.
DEMO_PASSWORD = "jqx-demo-2026"
STAFF = (
    ("supervisor", "李", "建国", "主管", "DEMO-320100"),
    ("clerk", "王", "晓燕", "柜面人员", "DEMO-320100"),
    ("clerk_bj", "赵", "磊", "柜面人员", "DEMO-110100"),
    ("clerk_hk", "符", "海燕", "柜面人员", "DEMO-460100"),
    ("agent", "陈", "静", "热线坐席", "DEMO-320100"),
    ("agent_sz", "林", "伟", "热线坐席", "DEMO-440300"),
    ("adjuster", "周", "敏", "理赔人员", "DEMO-320100"),
    ("adjuster2", "吴", "强", "理赔人员", "DEMO-320100"),
)


@dataclass(frozen=True)
class CategoryProfile:
    """How vehicles of one premium category look on their 行驶证."""

    weight: float
    vehicle_type: str
    models: tuple[str, ...]
    seats: tuple[int, int] | None = None
    payload_kg: tuple[int, int] | None = None
    displacements: tuple[Decimal, ...] = ()
    electric_share: float = 0.0
    hybrid_share: float = 0.0
    claim_factor: float = 1.0  # at-fault accidents relative to a family car


CARS = ("大众牌SVW7155", "丰田牌GTM7200", "本田牌HG7154", "日产牌DFL7160", "别克牌SGM7152",
        "吉利牌MR7152", "长安牌SC7164", "哈弗牌CC6460", "宝马牌BMW7201", "奥迪牌FV7201")  # fmt: skip
EVS = ("比亚迪牌BYD7006BEV", "特斯拉牌TSL7000BEV", "蔚来牌HFC7000BEV", "小鹏牌NHQ7000BEV",
       "广汽埃安牌GAM7000BEV")  # fmt: skip
MPVS = ("别克牌SGM6521", "本田牌HG6481", "五菱牌LZW6445", "传祺牌GAC6500")
BUSES = ("宇通牌ZK6125", "金龙牌XMQ6127", "比亚迪牌BYD6121")
TRUCKS = ("解放牌CA1041", "东风牌DFH1180", "重汽牌ZZ1257", "福田牌BJ1032")
MOTOS = ("雅马哈牌YM125", "本田牌WH125", "豪爵牌HJ150", "春风牌CF400")

_L = D  # litres
CAR_DISPLACEMENTS = (_L("1.0"), _L("1.2"), _L("1.4"), _L("1.5"), _L("1.5"), _L("1.6"), _L("1.8"),
                     _L("2.0"), _L("2.0"), _L("2.5"), _L("3.0"), _L("3.5"), _L("4.4"))  # fmt: skip
C = PremiumCategory
CATEGORIES: dict[str, CategoryProfile] = {
    C.FAMILY_LT6: CategoryProfile(0.700, "小型轿车", CARS, (5, 5), None, CAR_DISPLACEMENTS, 0.16, 0.07),
    C.FAMILY_GE6: CategoryProfile(0.070, "小型普通客车", MPVS, (7, 7), None, (_L("1.5"), _L("2.0"), _L("2.4")), 0.08, 0.08),
    C.ENTERPRISE_LT6: CategoryProfile(0.030, "小型轿车", CARS, (5, 5), None, CAR_DISPLACEMENTS, 0.10, 0.05),
    C.ENTERPRISE_6_10: CategoryProfile(0.010, "小型普通客车", MPVS, (7, 9), None, (_L("2.0"), _L("2.4"))),
    C.ENTERPRISE_10_20: CategoryProfile(0.004, "中型普通客车", BUSES, (11, 19), None, (_L("3.0"), _L("4.0"))),
    C.ENTERPRISE_GE20: CategoryProfile(0.003, "大型普通客车", BUSES, (30, 50), None, (_L("6.7"), _L("8.9"))),
    C.GOVT_LT6: CategoryProfile(0.006, "小型轿车", CARS, (5, 5), None, (_L("1.6"), _L("1.8"), _L("2.0")), 0.2),
    C.GOVT_6_10: CategoryProfile(0.003, "小型普通客车", MPVS, (7, 9), None, (_L("2.0"), _L("2.4"))),
    C.GOVT_10_20: CategoryProfile(0.002, "中型普通客车", BUSES, (11, 19), None, (_L("3.0"),)),
    C.GOVT_GE20: CategoryProfile(0.001, "大型普通客车", BUSES, (30, 45), None, (_L("6.7"),)),
    C.TAXI_LT6: CategoryProfile(0.030, "小型轿车", CARS[:7] + EVS[:1], (5, 5), None, (_L("1.5"), _L("1.6"), _L("1.8")), 0.35, 0.1, 2.0),
    C.TAXI_6_10: CategoryProfile(0.004, "小型普通客车", MPVS, (7, 9), None, (_L("2.0"),), 0.1, 0, 2.0),
    C.TAXI_10_20: CategoryProfile(0.002, "中型普通客车", BUSES, (11, 19), None, (_L("3.0"),), 0, 0, 2.0),
    C.TAXI_20_36: CategoryProfile(0.001, "大型普通客车", BUSES, (20, 35), None, (_L("6.7"),), 0, 0, 2.0),
    C.TAXI_GE36: CategoryProfile(0.001, "大型普通客车", BUSES, (36, 55), None, (_L("8.9"),), 0, 0, 2.0),
    C.BUS_6_10: CategoryProfile(0.001, "小型普通客车", MPVS, (7, 9), None, (_L("2.0"),), 0.5, 0, 1.8),
    C.BUS_10_20: CategoryProfile(0.002, "中型普通客车", BUSES, (11, 19), None, (_L("4.0"),), 0.6, 0, 1.8),
    C.BUS_20_36: CategoryProfile(0.002, "大型普通客车", BUSES, (20, 35), None, (_L("6.7"),), 0.6, 0.1, 1.8),
    C.BUS_GE36: CategoryProfile(0.003, "大型普通客车", BUSES, (36, 80), None, (_L("8.9"),), 0.7, 0.1, 1.8),
    C.COACH_6_10: CategoryProfile(0.001, "小型普通客车", MPVS, (7, 9), None, (_L("2.4"),), 0, 0, 1.8),
    C.COACH_10_20: CategoryProfile(0.001, "中型普通客车", BUSES, (11, 19), None, (_L("4.0"),), 0, 0, 1.8),
    C.COACH_20_36: CategoryProfile(0.001, "大型普通客车", BUSES, (20, 35), None, (_L("6.7"),), 0, 0, 1.8),
    C.COACH_GE36: CategoryProfile(0.002, "大型普通客车", BUSES, (36, 55), None, (_L("8.9"),), 0, 0, 1.8),
    C.TRUCK_LT2: CategoryProfile(0.030, "轻型普通货车", TRUCKS, (2, 3), (995, 1995), (_L("2.0"), _L("2.5")), 0.1, 0, 1.5),
    C.TRUCK_2_5: CategoryProfile(0.010, "中型普通货车", TRUCKS, (2, 3), (2000, 4990), (_L("3.0"), _L("4.0")), 0, 0, 1.5),
    C.TRUCK_5_10: CategoryProfile(0.005, "重型普通货车", TRUCKS, (2, 3), (5000, 9990), (_L("6.7"),), 0, 0, 1.5),
    C.TRUCK_GE10: CategoryProfile(0.004, "重型普通货车", TRUCKS, (2, 3), (10000, 25000), (_L("9.7"),), 0, 0, 1.5),
    C.FREIGHT_LT2: CategoryProfile(0.010, "轻型厢式货车", TRUCKS, (2, 3), (995, 1995), (_L("2.0"), _L("2.5")), 0.2, 0, 2.0),
    C.FREIGHT_2_5: CategoryProfile(0.005, "中型厢式货车", TRUCKS, (2, 3), (2000, 4990), (_L("4.0"),), 0, 0, 2.0),
    C.FREIGHT_5_10: CategoryProfile(0.004, "重型厢式货车", TRUCKS, (2, 3), (5000, 9990), (_L("6.7"),), 0, 0, 2.0),
    C.FREIGHT_GE10: CategoryProfile(0.005, "重型厢式货车", TRUCKS, (2, 3), (10000, 30000), (_L("11.0"),), 0, 0, 2.0),
    C.SPECIAL_1: CategoryProfile(0.001, "重型罐式货车", ("东风牌DFZ5250GYY", "解放牌CA5250GYY"), (2, 3), (10000, 20000), (_L("9.7"),), 0, 0, 1.5),
    C.SPECIAL_2: CategoryProfile(0.002, "重型专项作业车", ("中联牌ZLJ5250GJB", "徐工牌XZJ5160TQZ"), (2, 3), (5000, 15000), (_L("6.7"),), 0, 0, 1.5),
    C.SPECIAL_3: CategoryProfile(0.001, "专项作业车", ("江铃牌JX5046XJH", "依维柯牌NJ5045XJH"), (3, 7), None, (_L("2.8"),), 0, 0, 1.0),
    C.SPECIAL_4: CategoryProfile(0.001, "重型半挂牵引车", ("解放牌CA4250P66", "东风牌DFH4250A"), (2, 2), None, (_L("11.0"), _L("13.0")), 0, 0, 2.0),
    C.MOTO_LE50: CategoryProfile(0.005, "轻便二轮摩托车", MOTOS[:1], (1, 2), None, (_L("0.05"),)),
    C.MOTO_50_250: CategoryProfile(0.022, "普通二轮摩托车", MOTOS[:3], (1, 2), None, (_L("0.11"), _L("0.15"), _L("0.15"))),
    C.MOTO_GT250: CategoryProfile(0.005, "普通二轮摩托车", MOTOS[3:], (1, 2), None, (_L("0.4"), _L("0.65"))),
}  # fmt: skip
assert set(CATEGORIES) == set(PremiumCategory.values)

# World manufacturer identifiers of VINs: mostly made in China (L…), some imported.
WMIS_CHINA = ("LSV", "LFV", "LGB", "LHG", "LBV", "LSG", "LVS", "LDC", "LFP", "LZW", "LNB", "LGX", "LRW")
WMIS_IMPORTED = ("WBA", "WDD", "JTD", "JHM", "1HG", "5YJ")

# The vehicle's renewal status today: most in force, a visible share due within 90 days,
# some lapsed, a few renewed early or cancelled (docs/regulation.md §4).
STATUS_WEIGHTS = {
    RenewalStatus.IN_FORCE: 0.58,
    RenewalStatus.DUE: 0.18,
    RenewalStatus.RENEWED: 0.07,
    RenewalStatus.LAPSED: 0.12,
    RenewalStatus.CANCELLED: 0.05,
}

CHANNEL_WEIGHTS = {
    SalesChannel.COUNTER: 0.30,
    SalesChannel.HOTLINE: 0.10,
    SalesChannel.WEBSITE: 0.07,
    SalesChannel.APP: 0.18,
    SalesChannel.MINI_PROGRAM: 0.15,
    SalesChannel.DEALER: 0.10,
    SalesChannel.AGENT: 0.10,
}

# Years of history with us: 1 to 4 policy years per vehicle.
HISTORY_WEIGHTS = {1: 0.22, 2: 0.26, 3: 0.26, 4: 0.26}

ELECTRIC = EnergyType.ELECTRIC
