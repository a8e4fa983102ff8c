from django.contrib.auth.models import AbstractUser
from django.db import models

from policies.choices import Province


class Branch(models.Model):
    """营业网点. Its province (or one of the five plan-E cities) fixes the floating plan."""

    code = models.CharField("网点代码", max_length=20, unique=True)
    name = models.CharField("网点名称", max_length=100)
    province = models.CharField("省份", max_length=8, choices=Province.choices, db_index=True)
    city = models.CharField("城市", max_length=50)
    is_active = models.BooleanField("营业中", default=True)

    class Meta:
        verbose_name = "营业网点"
        verbose_name_plural = "营业网点"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class User(AbstractUser):
    """A member of staff. The role is a group (柜面人员 / 热线坐席 / 主管), see `policies.roles`."""

    branch = models.ForeignKey(
        Branch, verbose_name="所属网点", on_delete=models.PROTECT, null=True, blank=True,
        related_name="staff",
    )  # fmt: skip

    class Meta(AbstractUser.Meta):
        verbose_name = "员工"
        verbose_name_plural = "员工"
        permissions = [
            ("use_counter_desk", "可使用柜面工作台"),
            ("use_hotline_desk", "可使用热线工作台"),
            ("view_dashboards", "可查看经营看板"),
        ]

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def display_name(self) -> str:
        return str(self)
