from .access import PersonAccessLog
from .parties import DrivingLicence, Person
from .policy import NumberSequence, Policy
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
    "BasePremiumRate",
    "Branch",
    "DrivingLicence",
    "FloatingPlanRegion",
    "FloatingRate",
    "NumberSequence",
    "Person",
    "PersonAccessLog",
    "Policy",
    "ProvinceRule",
    "ShortTermRate",
    "User",
    "Vehicle",
    "VehicleTaxRate",
]
