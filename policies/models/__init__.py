from .access import AccessBurst, AccessBurstScan, PersonAccessLog
from .money import PremiumEntry
from .parties import DrivingLicence, Person
from .policy import NumberSequence, Policy
from .records import DrinkDrivingRecord
from .staff import Branch, User
from .tariffs import (
    BasePremiumRate,
    FloatingPlanRegion,
    FloatingRate,
    ProvinceRule,
    ShortTermRate,
    VehicleTaxRate,
)
from .vehicle import Vehicle

__all__ = [
    "AccessBurst",
    "AccessBurstScan",
    "BasePremiumRate",
    "Branch",
    "DrinkDrivingRecord",
    "DrivingLicence",
    "FloatingPlanRegion",
    "FloatingRate",
    "NumberSequence",
    "Person",
    "PersonAccessLog",
    "Policy",
    "PremiumEntry",
    "ProvinceRule",
    "ShortTermRate",
    "User",
    "Vehicle",
    "VehicleTaxRate",
]
