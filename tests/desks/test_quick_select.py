"""core.widgets.QuickSelect draws what Django's Select draws — the same options, labels
escaped, the chosen one selected — in one pass instead of a template per option; and the
hotline's branch filter reads the branches from the process's copy, cleared by any change."""

import re

import pytest
from django import forms

from core.clock import today
from core.widgets import QuickSelect
from desks.hotline.filters import VehicleFilter
from desks.hotline.status import advance_windows
from policies.models import Policy
from tests.factories import BranchFactory

CHOICES = [("", "全部"), ("1", "南京<中山路>"), ("2", "海口 & 龙华"), (3, "三")]


def options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, "selected" in flags, label)
        for value, flags, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html)
    ]


@pytest.mark.parametrize("value", [None, "", "2", 3, "nothing"])
def test_quick_select_draws_the_options_django_draws(value):
    attrs = {"id": "id_branch", "class": "form-select", "form": "hotline-search"}
    ours = QuickSelect(choices=CHOICES).render("branch", value, attrs)
    django = forms.Select(choices=CHOICES).render("branch", value, attrs)
    assert options(ours) == options(django)
    assert "&lt;中山路&gt;" in ours and "海口 &amp; 龙华" in ours
    tag = r"<select ([^>]*)>"
    assert set(re.search(tag, ours)[1].split()) == set(re.search(tag, django)[1].split())


def test_grouped_choices_fall_back_to_djangos_drawing():
    grouped = [("南方", [("1", "南京"), ("2", "海口")]), ("3", "北京")]
    assert QuickSelect(choices=grouped).render("b", "2", {}) == forms.Select(choices=grouped).render(
        "b", "2", {}
    )


@pytest.mark.django_db
def test_the_branch_filter_lists_branches_without_a_query_and_sees_a_new_one(django_assert_num_queries):
    BranchFactory(code="320100", name="南京中山路营业部")
    day = today()

    def branch_select() -> str:
        f = VehicleFilter(
            {"branch": ""}, queryset=Policy.objects.none(), day=day, windows=advance_windows(day)
        )
        return str(f.form["branch"])

    assert "南京中山路营业部" in branch_select()
    with django_assert_num_queries(0):
        branch_select()
    BranchFactory(code="110100", name="北京西城营业部")
    assert "北京西城营业部" in branch_select()
