"""Hotline search results tell look-alike customers apart without unmasking (masked ID and
phone tails, plate, city), and a search that finds one customer opens their page at once."""

import re

import pytest
from django.urls import reverse

from core.masking import city_of
from tests.factories import PersonFactory, PolicyFactory, VehicleFactory

pytestmark = pytest.mark.django_db

HOME = reverse("hotline:home")
CITIES = ["江苏省南京市玄武区中山路 1 号", "北京市朝阳区建国路 8 号", "海南省海口市龙华区滨海大道 3 号",
          "陕西省西安市雁塔区长安路 5 号", "吉林省长春市南关区人民大街 7 号"]  # fmt: skip


@pytest.fixture
def five_zhang_wei(branch):
    people = []
    for i, address in enumerate(CITIES):
        person = PersonFactory(name="张伟", phone=f"1391234{i:04d}", address=address)
        PolicyFactory(vehicle=VehicleFactory(owner=person, plate=f"苏A3000{i}"), branch=branch)
        people.append(person)
    return people


def search(client, term, *, open_single=True):
    data = {"q": term, **({"one": "1"} if open_single else {})}
    return client.post(HOME, data)


@pytest.mark.parametrize(
    ("address", "city"),
    [
        ("江苏省南京市玄武区中山路 1 号", "南京市"),
        ("北京市朝阳区建国路 8 号", "北京市"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市"),
        ("广东省深圳市南山区", "深圳市"),
        ("", ""),
        ("中山路 1 号", ""),
    ],
)
def test_the_city_of_an_address(address, city):
    assert city_of(address) == city


def test_five_customers_of_one_name_are_told_apart_without_unmasking(agent_client, five_zhang_wei):
    page = search(agent_client, "张伟").content.decode()  # five matches: the list, not a customer

    chips = re.findall(r'data-testid="person-link">(.*?)</a>', page, re.S)
    assert len(chips) == 5 and len(set(chips)) == 5
    for person, chip in zip(sorted(five_zhang_wei, key=lambda p: p.pk), chips, strict=False):
        assert "张*" in chip and person.id_number not in chip and person.phone not in chip
    assert {"南京市", "北京市", "海口市", "西安市", "长春市"} <= set(
        re.findall(r"data-testid=\"owner-city\">(\w+)<", page)
    )
    rows = re.findall(r'<tr[^>]*data-testid="result-row".*?</tr>', page, re.S)
    assert len(rows) == 5 and len({re.sub(r'data-vehicle="\d+"', "", r) for r in rows}) == 5


def test_a_search_that_finds_one_customer_opens_their_page(agent_client, five_zhang_wei):
    person = five_zhang_wei[2]
    final = agent_client.post(HOME, {"q": person.phone, "one": "1"})
    assert final.status_code == 302
    vehicle = person.vehicles.get()
    assert final["Location"] == reverse("hotline:customer", args=[person.pk]) + f"?vehicle={vehicle.pk}"
    page = agent_client.get(final["Location"]).content.decode()
    assert "只有一位客户符合查询" in page and "张伟" in page


def test_unticked_the_single_match_shows_the_list(agent_client, five_zhang_wei):
    page = search(agent_client, five_zhang_wei[0].phone, open_single=False)
    assert page.status_code == 200 and 'data-testid="result-row"' in page.content.decode()
    # Read again by its address (paging, reload, back): the list, never a jump.
    again = agent_client.get(page.context["results_url"])
    assert again.status_code == 200
