"""Rules that write the claims app's data. Each is one transaction, takes keyword-only
arguments and raises `ValidationError` with a message a clerk can read."""

from claims.services.deadlines import claims_flag_breaches
from claims.services.life import (
    claim_add_party,
    claim_recover,
    claim_reopen,
    claim_supplement,
    recoverable_total,
)
from claims.services.money import claim_advance, claim_approve, claim_pay, claim_revoke
from claims.services.report import MAX_PARTIES, PartyReport, claim_report, find_vehicle
from claims.services.steps import (
    claim_assess,
    claim_calculate,
    claim_close,
    claim_documents,
    claim_register,
    claim_reject,
    claim_send_back,
    claim_survey,
    claim_withdraw,
    required_documents,
)

__all__ = [
    "MAX_PARTIES",
    "PartyReport",
    "claim_add_party",
    "claim_advance",
    "claim_approve",
    "claim_assess",
    "claim_calculate",
    "claim_close",
    "claim_documents",
    "claim_pay",
    "claim_recover",
    "claim_register",
    "claim_reopen",
    "claim_reject",
    "claim_report",
    "claim_revoke",
    "claim_send_back",
    "claim_supplement",
    "claim_survey",
    "claim_withdraw",
    "claims_flag_breaches",
    "find_vehicle",
    "recoverable_total",
    "required_documents",
]
