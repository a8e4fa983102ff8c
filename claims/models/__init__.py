from .claim import Claim, Loss, Party
from .events import ClaimEvent
from .money import ApprovalAuthority, LedgerEntry, Payment, Recovery
from .tables import ClaimDeadline, LiabilityLimit, RiskThreshold

__all__ = [
    "ApprovalAuthority",
    "Claim",
    "ClaimDeadline",
    "ClaimEvent",
    "LedgerEntry",
    "LiabilityLimit",
    "Loss",
    "Party",
    "Payment",
    "Recovery",
    "RiskThreshold",
]
