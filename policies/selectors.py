"""Reads of the policies app in domain language: finding a person or a vehicle from what a
customer hands over."""

from __future__ import annotations

import re

from policies.models import DrivingLicence, Person, Vehicle

_FILE_NUMBER = re.compile(r"^[0-9]{12}$")


def person_by_licence_number(number: str) -> Person | None:
    """The person with this ID number, driving-licence number (for residents, the same
    number) or 12-digit licence file number (档案编号). At most two indexed queries."""
    if _FILE_NUMBER.match(number):
        licence = DrivingLicence.objects.select_related("holder").filter(file_number=number).first()
        return licence.holder if licence else None
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        licence = DrivingLicence.objects.select_related("holder").filter(number=number).first()
        person = licence.holder if licence else None
    return person


def vehicle_by_plate_and_vin(*, plate: str, vin: str) -> Vehicle | None:
    """The vehicle whose 行驶证 shows both this plate and this VIN — never a vehicle that
    matches only one of them (a mistyped pair must not show someone else's car)."""
    return Vehicle.objects.filter(vin=vin, plate=plate).first()
