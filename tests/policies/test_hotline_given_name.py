"""The caller often gives only a given name and part of a plate: "建平" finds 张建平 and 李建平,
"建平 A12" only the 建平 whose plate has A12 in it, and only that car. docs: issue 14's hotline
item; the indexes are checked in tests/policies/test_hotline_plans.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desks.hotline.search import named, search
from policies.search import TermKind, classify, name_and_plate
from tests.factories import PersonFactory, PolicyFactory, VehicleFactory

pytestmark = pytest.mark.django_db

HOME = reverse("hotline:home")


@pytest.fixture
def two_jianping(branch):
    zhang = PersonFactory(name="张建平", phone="13900000001")
    li = PersonFactory(name="李建平", phone="13900000002")
    PersonFactory(name="王建国")
    PersonFactory(name="建平安")  # a name that begins with it
    cars = {
        "zhang": VehicleFactory(owner=zhang, plate="苏A12345"),
        "zhang2": VehicleFactory(owner=zhang, plate="苏E99887"),
        "li": VehicleFactory(owner=li, plate="京B67890"),
    }
    for car in cars.values():
        PolicyFactory(vehicle=car, branch=branch)
    return zhang, li, cars


def vehicles_listed(client, term) -> list[str]:
    page = client.post(HOME, {"q": term}, follow=True).content.decode()
    return re.findall(r'data-vehicle="(\d+)"', page)


def test_a_given_name_alone_finds_everyone_so_named(two_jianping):
    zhang, li, _ = two_jianping
    assert [p.name for p in named("建平")] == ["建平安", "张建平", "李建平"]  # in code-point order
    match = search("建平").matches[0]
    assert match.kind == TermKind.NAME and not match.similar
    assert {p.pk for p in match.people} >= {zhang.pk, li.pk}


def test_one_character_is_a_surname_only(two_jianping):
    assert [p.name for p in named("平")] == []
    assert {p.name for p in named("王")} == {"王建国"}


def test_a_given_name_on_the_page(agent_client, two_jianping):
    _, _, cars = two_jianping
    page = agent_client.post(HOME, {"q": "建平"}, follow=True).content.decode()
    assert "按姓名找到 3 位客户" in page
    assert set(re.findall(r'data-vehicle="(\d+)"', page)) == {str(c.pk) for c in cars.values()}


@pytest.mark.parametrize("term", ["建平 A123", "建平 苏A12", "建平A123", "建平 a123", "建平　Ａ１２３"])
def test_a_given_name_and_part_of_a_plate_find_that_customer_and_that_car(agent_client, two_jianping, term):
    _, _, cars = two_jianping
    assert vehicles_listed(agent_client, term) == [str(cars["zhang"].pk)]


def test_the_plate_part_tells_the_namesakes_apart(agent_client, two_jianping):
    zhang, li, cars = two_jianping
    assert vehicles_listed(agent_client, "建平 B678") == [str(cars["li"].pk)]
    match = search("建平 E998").matches[0]
    assert match.kind == TermKind.NAME_PLATE and [p.pk for p in match.people] == [zhang.pk]
    assert (
        "按姓名和号牌片段找到 1 位客户、1 辆车"
        in agent_client.post(HOME, {"q": "建平 E998"}).content.decode()
    )


def test_a_name_and_a_plate_part_that_match_no_one_say_so(agent_client, two_jianping):
    page = agent_client.post(HOME, {"q": "建平 C000"}).content.decode()
    assert 'data-testid="not-found"' in page and "号牌片段" in page


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("建平 A12", ("建平", "A12")),
        ("张云A12", ("张云", "A12")),  # without a space a province character stays in the name
        ("建平 苏A12", ("建平", "苏A12")),
        ("苏A1234", None),  # a plate mistyped
        ("建平", None),
        ("建平 A", None),  # too little of a plate to tell anyone apart
    ],
)
def test_name_and_plate_reading(term, expected):
    assert name_and_plate(term) == expected


def test_a_mistyped_plate_is_still_a_plate(agent_client):
    assert classify("苏A1234") == []
    assert "号牌号码“苏A1234”格式不正确" in agent_client.post(HOME, {"q": "苏A1234"}).content.decode()


def test_a_name_search_reads_the_people_in_one_statement(two_jianping):
    with CaptureQueriesContext(connection) as queries:
        search("建平")
    people = [q["sql"] for q in queries if 'FROM "policies_person"' in q["sql"]]
    assert len(people) == 1 and " UNION " in people[0], people
    assert len(queries) == 2  # the people, then their vehicles
