from django.conf import settings
from django.db import models
from django.db.models import Q

from policies.choices import DrinkDrivingKind

from .parties import Person
from .vehicle import Vehicle


class DrinkDrivingRecord(models.Model):
    """A drink-driving offence committed with a vehicle, as the traffic police decided it.

    Where a province sets a drink-driving surcharge, a record dated in the vehicle's last policy
    year surcharges its next premium (docs/regulation.md §2)."""

    vehicle = models.ForeignKey(
        Vehicle, verbose_name="车辆", on_delete=models.PROTECT, related_name="drink_driving_records",
        db_index=False,  # covered by drink_record_vehicle_day_idx
    )  # fmt: skip
    driver = models.ForeignKey(
        Person, verbose_name="驾驶人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offence_date = models.DateField("违法日期")
    kind = models.CharField("违法行为", max_length=10, choices=DrinkDrivingKind.choices)
    decision_number = models.CharField("处罚决定书编号", max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "酒驾记录"
        verbose_name_plural = "酒驾记录"
        ordering = ["vehicle_id", "-offence_date"]
        indexes = [models.Index(fields=["vehicle", "offence_date"], name="drink_record_vehicle_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["decision_number"], name="drink_record_decision_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=DrinkDrivingKind.values), name="drink_record_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.get_kind_display()} {self.offence_date}"
