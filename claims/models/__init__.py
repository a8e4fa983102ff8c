from .claim import Claim, Loss, Party
from .events import ClaimEvent
from .money import ApprovalAuthority, LedgerEntry, Payment
from .tables import LiabilityLimit, RiskThreshold

__all__ = [
    "ApprovalAuthority",
    "Claim",
    "ClaimEvent",
    "LedgerEntry",
    "LiabilityLimit",
    "Loss",
    "Party",
    "Payment",
    "RiskThreshold",
]
