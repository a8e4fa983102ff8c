"""Enumerations of the claims app (codes stored in the database, labels shown in Chinese)."""

from django.db import models


class ClaimState(models.TextChoices):
    """The states of a claim (docs/regulation.md §6)."""

    REPORTED = "reported", "报案"
    REGISTERED = "registered", "立案"
    SURVEYED = "surveyed", "查勘"
    ASSESSED = "assessed", "定损核损"
    CALCULATED = "calculated", "理算"
    APPROVED = "approved", "核赔通过"
    PAID = "paid", "已支付"
    CLOSED = "closed", "结案"
    REJECTED = "rejected", "拒赔"
    WITHDRAWN = "withdrawn", "注销"


class ClaimChannel(models.TextChoices):
    """Where the first notice of loss came in."""

    HOTLINE = "hotline", "热线"
    COUNTER = "counter", "柜面"
    WEBSITE = "website", "官网"
    APP = "app", "APP"
    MINI_PROGRAM = "mini_program", "微信小程序"


class LossCategory(models.TextChoices):
    """The three sub-limits of 交强险 (docs/regulation.md §5)."""

    DEATH_DISABILITY = "death_disability", "死亡伤残"
    MEDICAL = "medical", "医疗费用"
    PROPERTY = "property", "财产损失"


class PartyKind(models.TextChoices):
    PERSON = "person", "人员"
    VEHICLE = "vehicle", "车辆"
    PROPERTY = "property", "其他财产"


class PartyRelation(models.TextChoices):
    """Victims are everyone except the insured and the people and property in or on the
    insured vehicle (docs/regulation.md §5); the others are recorded but not paid."""

    THIRD_PARTY = "third_party", "第三者"
    OWN_SIDE = "own_side", "本车人员或财产（含被保险人）"


class PersonOutcome(models.TextChoices):
    INJURED = "injured", "受伤"
    DISABLED = "disabled", "伤残"
    DIED = "died", "死亡"


class Exclusion(models.TextChoices):
    """Why an assessed loss is not paid (docs/regulation.md §5). Losses of the insured side and the
    losses an advance case does not cover are excluded by the payout engine itself."""

    DELIBERATE = "deliberate", "受害人故意造成的损失"
    INDIRECT = "indirect", "间接损失"
    LITIGATION = "litigation", "诉讼、仲裁费用"


class AdvanceCase(models.TextChoices):
    """The cases in which the insurer only advances rescue costs and may recover them
    (条例 Art. 22, docs/regulation.md §5)."""

    NO_LICENCE = "no_licence", "驾驶人未取得驾驶资格"
    DRUNK = "drunk", "驾驶人醉酒"
    STOLEN = "stolen", "车辆被盗抢期间"
    DELIBERATE = "deliberate", "被保险人故意制造事故"


class RejectReason(models.TextChoices):
    """Coded reasons for a refusal, so refusals can be counted and explained."""

    OUTSIDE_COVER = "outside_cover", "出险时间不在保险期间内"
    OWN_SIDE = "own_side", "损失属本车或本车人员，不属交强险赔偿范围"
    DELIBERATE_VICTIM = "deliberate_victim", "损失系受害人故意造成"
    DUPLICATE = "duplicate", "重复报案"
    DOCUMENTS_MISSING = "documents_missing", "索赔单证不齐且逾期未补"
    OTHER = "other", "其他原因"


class DocumentKind(models.TextChoices):
    """The documents a claim needs (条款 Art. 18, docs/regulation.md §6)."""

    POLICY = "policy", "保险单"
    CLAIM_FORM = "claim_form", "索赔申请书"
    ID_CARD = "id_card", "被保险人及受害人身份证明"
    VEHICLE_LICENCE = "vehicle_licence", "机动车行驶证"
    DRIVING_LICENCE = "driving_licence", "驾驶人驾驶证"
    ACCIDENT_CERTIFICATE = "accident_certificate", "交通事故认定书或协议书"
    LOSS_PROOF = "loss_proof", "损失清单及费用票据"
    MEDICAL_RECORDS = "medical_records", "病历、诊断证明及医疗费票据"


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", "垫付抢救费用"
    SETTLEMENT = "settlement", "赔款"


class PaymentStatus(models.TextChoices):
    APPROVED = "approved", "已核准待支付"
    PAID = "paid", "已支付"
    REVERSED = "reversed", "已冲正"


class Clock(models.TextChoices):
    """The legal deadlines of a claim (docs/regulation.md §6); their days are in `ClaimDeadline`."""

    DOCUMENTS = "documents", "告知索赔单证"
    DECISION = "decision", "核定赔付"
    PAYMENT = "payment", "支付赔款"
