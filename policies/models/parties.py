from django.db import models
from django.db.models.functions import Upper

from core.masking import mask_id_number, mask_phone
from policies.identifiers import validate_id_number


class Person(models.Model):
    """A natural person: policyholder, insured, vehicle owner or licence holder."""

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField("手机号码", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    app_account = models.CharField("APP 账号", max_length=64, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "客户"
        verbose_name_plural = "客户"
        indexes = [
            models.Index(fields=["phone"], name="person_phone_idx"),
            # Prefix search on names; pattern ops keep LIKE 'x%' indexable in any collation.
            models.Index(fields=["name"], name="person_name_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def gender(self) -> str:
        """GB 11643: the 17th digit is odd for men, even for women."""
        return "男" if int(self.id_number[16]) % 2 else "女"


class DrivingLicence(models.Model):
    """驾驶证. The number is the holder's ID number for residents."""

    holder = models.ForeignKey(
        Person, verbose_name="持证人", on_delete=models.CASCADE, related_name="licences"
    )
    number = models.CharField("证号", max_length=18, db_index=True)
    file_number = models.CharField("档案编号", max_length=12, unique=True)
    classes = models.CharField("准驾车型", max_length=60, help_text="以逗号分隔，如 C1,D")
    first_issued = models.DateField("初次领证日期", null=True, blank=True)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期至", null=True, blank=True, help_text="留空表示长期")

    class Meta:
        verbose_name = "驾驶证"
        verbose_name_plural = "驾驶证"
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="licence_validity_order",
            ),
            models.CheckConstraint(
                condition=models.Q(file_number__regex=r"^[0-9]{12}$"), name="licence_file_number_12_digits"
            ),
            models.CheckConstraint(condition=models.Q(number=Upper("number")), name="licence_number_upper"),
        ]

    def __str__(self) -> str:
        return f"驾驶证 {mask_id_number(self.number)}（{self.classes}）"

    @property
    def class_list(self) -> list[str]:
        return [c for c in self.classes.split(",") if c]

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_long_term(self) -> bool:
        return self.valid_to is None
