from django.db import models
from django.db.models.functions import Upper

from policies.choices import EnergyType, PremiumCategory
from policies.identifiers import validate_plate, validate_vin

from .parties import Person


class Vehicle(models.Model):
    """A motor vehicle as its 行驶证 describes it. Its claims record follows the vehicle."""

    plate = models.CharField("号牌号码", max_length=10, validators=[validate_plate])
    vin = models.CharField("车辆识别代号", max_length=17, unique=True, validators=[validate_vin])
    engine_number = models.CharField("发动机号码", max_length=30, blank=True)
    vehicle_type = models.CharField("车辆类型", max_length=30, blank=True)
    brand_model = models.CharField("品牌型号", max_length=60, blank=True)
    premium_category = models.CharField("交强险车辆类别", max_length=20, choices=PremiumCategory.choices)
    seats = models.PositiveSmallIntegerField("核定载人数", null=True, blank=True)
    payload_kg = models.PositiveIntegerField("核定载质量（千克）", null=True, blank=True)
    displacement_l = models.DecimalField("排量（升）", max_digits=4, decimal_places=2, null=True, blank=True)
    energy_type = models.CharField(
        "能源类型", max_length=10, choices=EnergyType.choices, default=EnergyType.FUEL
    )
    registration_date = models.DateField("注册日期")
    owner = models.ForeignKey(
        Person, verbose_name="所有人", on_delete=models.PROTECT, related_name="vehicles"
    )
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    class Meta:
        verbose_name = "车辆"
        verbose_name_plural = "车辆"
        indexes = [models.Index(fields=["plate"], name="vehicle_plate_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(displacement_l__isnull=True) | models.Q(displacement_l__gt=0),
                name="vehicle_displacement_positive",
            ),
            models.CheckConstraint(condition=models.Q(plate=Upper("plate")), name="vehicle_plate_upper"),
            models.CheckConstraint(condition=models.Q(vin=Upper("vin")), name="vehicle_vin_upper"),
            models.CheckConstraint(
                condition=models.Q(energy_type__in=EnergyType.values), name="vehicle_energy_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(premium_category__in=PremiumCategory.values),
                name="vehicle_premium_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.plate
