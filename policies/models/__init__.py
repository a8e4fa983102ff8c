from .access import PersonAccessLog
from .api import ApiChannel, ApiKey, ApiUsage
from .messaging import OutboundMessage
from .parties import DrivingLicence, Person
from .policy import NumberSequence, Policy
from .reminders import (
    CadenceStep,
    Reminder,
    ReminderConversionDay,
    ReminderOptOut,
    ReminderStop,
    RenewalCall,
    RenewalCallAttempt,
)
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
    "ApiChannel",
    "ApiKey",
    "ApiUsage",
    "BasePremiumRate",
    "Branch",
    "CadenceStep",
    "DrivingLicence",
    "FloatingPlanRegion",
    "FloatingRate",
    "NumberSequence",
    "OutboundMessage",
    "Person",
    "PersonAccessLog",
    "Policy",
    "ProvinceRule",
    "Reminder",
    "ReminderConversionDay",
    "ReminderOptOut",
    "ReminderStop",
    "RenewalCall",
    "RenewalCallAttempt",
    "ShortTermRate",
    "User",
    "Vehicle",
    "VehicleTaxRate",
]
