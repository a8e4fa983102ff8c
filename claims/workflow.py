"""The claim's state machine (docs/regulation.md §6): one table of actions, as data.

Each action names the states it may start from, the state it leads to (or none: the
claim stays where it is, e.g. an advance of rescue costs), and the permission a member
of staff needs to take it. The services enforce this table; the database enforces it
too — the event log's check constraint lists every (action, from, to) triple made from
this table, and a trigger refuses a state change without its logged event.

报案 reported → 立案 registered → 查勘 surveyed → 定损核损 assessed → 理算 calculated →
核赔 approved → 支付 paid → 结案 closed; 拒赔 rejected and 注销 withdrawn from every open
state, approval included (docs/regulation.md §6: an approved, unpaid settlement is reversed).

After the first payment the claim's life goes on: 追加赔付 takes a paid claim back to
查勘 for a new assessment, and a supervisor may reopen (重开) a closed claim with a
reason; either way the claim walks assess → calculate → approve → pay again, and the
payout engine pays only what is still due within what is left of each sub-limit. A
victim or a loss line may be added (增补) until the assessment, and recoveries (追偿)
of advances from the wrongdoer are recorded whenever they come in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from claims.choices import ClaimState as S

OPEN_STATES = frozenset({S.REPORTED, S.REGISTERED, S.SURVEYED, S.ASSESSED, S.CALCULATED, S.APPROVED})
UNDECIDED_STATES = frozenset({S.REPORTED, S.REGISTERED, S.SURVEYED, S.ASSESSED, S.CALCULATED})
FINAL_STATES = frozenset({S.CLOSED, S.REJECTED, S.WITHDRAWN})
# The states in which documents are gathered and rescue costs may be advanced.
HANDLING_STATES = frozenset({S.REGISTERED, S.SURVEYED, S.ASSESSED, S.CALCULATED})
# The states in which a victim or a loss line may still be added (before the assessment).
ADDING_STATES = frozenset({S.REPORTED, S.REGISTERED, S.SURVEYED})
# The states in which money advanced may be recovered from the wrongdoer (after an advance).
RECOVERY_STATES = HANDLING_STATES | {S.APPROVED, S.PAID, S.CLOSED}


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the claim stays in its state
    permission: str
    help: str = ""

    def leads_from(self, state: str) -> str:
        return self.target or state


ACTIONS: tuple[Action, ...] = (
    Action("report", "报案", frozenset({""}), S.REPORTED, "claims.report_claim"),
    Action(
        "register", "立案", frozenset({S.REPORTED}), S.REGISTERED, "claims.register_claim",
        "立案并书面告知需提供的索赔单证（条例第二十七条，期限见法定时限）。",
    ),
    Action(
        "documents", "单证登记", HANDLING_STATES | {S.APPROVED, S.PAID}, None, "claims.register_claim",
        "登记已收到的单证；单证齐全后核定时限开始计算（见法定时限）。",
    ),
    Action(
        "add_party", "增补当事方或损失", ADDING_STATES, None, "claims.survey_claim",
        "报案后发现的受害人或损失项目，在定损前增补；增补后按全部受害人的损失重新分摊限额。",
    ),
    Action(
        "advance", "垫付抢救费用", HANDLING_STATES, None, "claims.advance_claim",
        "在医疗费用限额内垫付抢救费用（无责时为无责医疗费用限额），不垫付财产损失。",
    ),
    Action(
        "survey", "查勘完成", frozenset({S.REGISTERED}), S.SURVEYED, "claims.survey_claim",
        "记录查勘结论并确认事故责任。",
    ),
    Action(
        "assess", "定损核损", frozenset({S.SURVEYED}), S.ASSESSED, "claims.assess_claim",
        "逐项核定各受害人的损失金额及除外项目。",
    ),
    Action(
        "calculate", "理算", frozenset({S.ASSESSED}), S.CALCULATED, "claims.calculate_claim",
        "按责任限额与分摊规则计算应赔金额。",
    ),
    Action(
        "send_back", "退回重新定损", frozenset({S.CALCULATED}), S.ASSESSED, "claims.approve_claim",
        "核赔人认为定损或理算有误，退回重新定损。",
    ),
    Action(
        "approve", "核赔通过", frozenset({S.CALCULATED}), S.APPROVED, "claims.approve_claim",
        "在本人核赔权限内核准赔款（超出权限或未设权限须由主管核赔）；理算人不得核赔本案。",
    ),
    Action(
        "revoke", "撤销核赔（冲正）", frozenset({S.APPROVED}), S.CALCULATED, "claims.revoke_approval",
        "以冲正分录撤销尚未支付的赔款，恢复可用限额。",
    ),
    Action(
        "pay", "支付赔款", frozenset({S.APPROVED}), S.PAID, "claims.pay_claim",
        "登记支付流水（达成赔偿协议后在法定时限内支付）；须已收齐索赔单证，单证不齐由主管注明理由准予支付。",
    ),
    Action("close", "结案", frozenset({S.PAID}), S.CLOSED, "claims.close_claim"),
    Action(
        "supplement", "追加赔付", frozenset({S.PAID}), S.SURVEYED, "claims.assess_claim",
        "受害人补充损失（如后续治疗费用）时重新定损、理算；已付款项计入各受害人本人的份额，只在各分项限额剩余额度内追加。",
    ),
    Action(
        "reopen", "重开赔案", frozenset({S.CLOSED}), S.SURVEYED, "claims.reopen_claim",
        "主管注明理由后重开已结案的赔案，重新定损、理算和核赔；已付款项计入各受害人本人的份额。",
    ),
    Action(
        "recover", "登记追偿", RECOVERY_STATES, None, "claims.recover_claim",
        "垫付情形下向致害人追偿的款项到账后登记，冲减本案赔付成本。",
    ),
    Action(
        "reject", "拒赔", OPEN_STATES, S.REJECTED, "claims.reject_claim",
        "以书面形式说明拒赔理由（条例第二十八条）；核赔通过后拒赔的，已核准未支付的赔款同时冲正。",
    ),
    Action(
        "withdraw", "注销", OPEN_STATES, S.WITHDRAWN, "claims.withdraw_claim",
        "报案人撤回或无需赔付时注销赔案；已核准未支付的赔款同时冲正。",
    ),
)  # fmt: skip

BY_CODE: dict[str, Action] = {a.code: a for a in ACTIONS}
# The actions that carry a claim forward along the main path.
FORWARD = frozenset({"register", "survey", "assess", "calculate", "approve", "pay", "close"})


def action(code: str) -> Action:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValidationError(
            "未知的理赔操作“%(code)s”。", code="unknown_action", params={"code": code}
        ) from None


def actions_from(state: str) -> list[Action]:
    """The actions the table allows from `state`, in workflow order."""
    return [a for a in ACTIONS if state in a.sources and a.code != "report"]


def check_allowed(code: str, state: str) -> Action:
    """The action, or a ValidationError in Chinese when the state does not allow it."""
    act = action(code)
    if state not in act.sources:
        raise ValidationError(
            "赔案当前状态为“%(state)s”，不能执行“%(action)s”。",
            code="transition_not_allowed",
            params={"state": S(state).label, "action": act.label},
        )
    return act


def transition_triples() -> list[tuple[str, str, str]]:
    """Every (action, from_state, to_state) the event log may hold (for its constraint)."""
    return sorted((a.code, source, a.leads_from(source)) for a in ACTIONS for source in a.sources)


def permissions() -> list[str]:
    return sorted({a.permission for a in ACTIONS})
