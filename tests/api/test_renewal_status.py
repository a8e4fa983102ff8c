"""POST /api/v1/renewal-status: every status of docs/regulation.md §4, normalised input, and one
identical 404 for an unknown plate and for a known plate with another VIN."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.clock import today
from policies.choices import CancelReason, PolicyStatus
from policies.tariffs import tariff_book
from tests import factories
from tests.api.conftest import days_from_today, insure, insure_years

pytestmark = pytest.mark.django_db


def status_of(api, vehicle, **overrides):
    return api.post("renewal-status", {"plate": vehicle.plate, "vin": vehicle.vin, **overrides})


@pytest.mark.parametrize(
    ("days_left", "status"),
    [(200, "in_force"), (90, "in_force"), (89, "due"), (45, "due"), (0, "due")],
)
def test_covered_vehicle_is_in_force_until_the_last_90_days_then_due(api, branch, days_left, status):
    vehicle = insure(branch=branch, end=days_from_today(days_left)).vehicle

    answer = status_of(api, vehicle)

    assert answer.status == 200
    body = answer.json()
    assert body["status"] == status
    assert body["days_left"] == days_left
    assert body["cover_end"] == days_from_today(days_left).isoformat()
    assert body["renewal_start"] is None
    if status == "due":
        assert [c["code"] for c in body["channels"]] == ["website", "app", "mini_program", "counter"]
        assert body["channels"][-1]["name"] == "柜面（南京中山路营业部）"
    else:  # the renewal window has not opened yet
        assert body["channels"] == []


def test_renewed_vehicle_reports_the_successors_start_and_no_channels(api, branch):
    current = insure(branch=branch, end=days_from_today(30))
    insure(current.vehicle, branch=branch, end=days_from_today(30 + 365), renewed_from=current)

    body = status_of(api, current.vehicle).json()

    assert body["status"] == "renewed"
    assert body["renewal_start"] == days_from_today(31).isoformat()
    assert body["cover_end"] == days_from_today(30).isoformat()
    assert body["days_left"] == 30
    assert body["channels"] == []


def test_lapsed_vehicle_has_negative_days_left(api, branch):
    vehicle = insure(branch=branch, end=days_from_today(-12)).vehicle

    body = status_of(api, vehicle).json()

    assert body["status"] == "lapsed"
    assert body["days_left"] == -12
    assert body["cover_end"] == days_from_today(-12).isoformat()
    assert "app" in [c["code"] for c in body["channels"]]


def test_lapse_begins_the_day_after_the_end_date(api, branch):
    vehicle = insure(branch=branch, end=days_from_today(-1)).vehicle

    body = status_of(api, vehicle).json()

    assert (body["status"], body["days_left"]) == ("lapsed", -1)


def test_cancelled_vehicle_counts_from_the_cancellation_date_and_renews_only_at_a_counter(api, branch):
    cancelled_on = days_from_today(-20)
    vehicle = insure(
        branch=branch, end=cancelled_on, status=PolicyStatus.CANCELLED, cancelled_on=cancelled_on,
        cancel_reason=CancelReason.LAID_UP,
    ).vehicle  # fmt: skip

    body = status_of(api, vehicle).json()

    assert body["status"] == "cancelled"
    assert body["cover_end"] == cancelled_on.isoformat()
    assert body["days_left"] == -20
    assert body["channels"] == [{"code": "counter", "name": "柜面（南京中山路营业部）"}]


def test_answer_shows_a_masked_plate_and_nothing_personal(api, due_vehicle):
    answer = status_of(api, due_vehicle)
    text = answer.body.decode()

    plate = due_vehicle.plate
    assert answer.json()["plate"] == f"{plate[:2]}***{plate[-2:]}"
    for personal in (
        plate,
        due_vehicle.vin,
        due_vehicle.owner.name,
        due_vehicle.owner.id_number,
        due_vehicle.owner.phone,
    ):
        assert personal not in text
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"


def test_input_is_normalised_as_at_the_counter(api, branch):
    vehicle = insure(
        branch=branch, end=days_from_today(45), vehicle=factories.VehicleFactory(plate="苏A0B123")
    ).vehicle
    full_width_plate = " 苏ａ　０b１23 "  # full-width letters and digits, an ideographic space, lower case
    spaced_vin = " ".join([vehicle.vin[:5].lower(), vehicle.vin[5:11], vehicle.vin[11:].lower()])

    answer = status_of(api, vehicle, plate=full_width_plate, vin=spaced_vin)

    assert answer.status == 200
    assert answer.json()["status"] == "due"


def _sql_shapes(queries) -> list[str]:
    """The queries' SQL with literals replaced, to compare what ran, not with which values."""
    return [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries]


def test_unknown_plate_and_wrong_vin_answer_byte_identical_404s_after_the_same_queries(
    api, branch, due_vehicle
):
    other_vin = factories.make_vin(424242)
    tariff_book()

    with CaptureQueriesContext(connection) as unknown_plate_queries:
        unknown_plate = api.post("renewal-status", {"plate": "苏A99999", "vin": due_vehicle.vin})
    with CaptureQueriesContext(connection) as wrong_vin_queries:
        wrong_vin = api.post("renewal-status", {"plate": due_vehicle.plate, "vin": other_vin})

    assert unknown_plate.status == wrong_vin.status == 404
    assert unknown_plate.body == wrong_vin.body
    assert unknown_plate.headers == wrong_vin.headers
    assert unknown_plate.json() == {
        "error": {
            "code": "not_found",
            "message": "未找到与该号牌号码和车辆识别代号相符的投保记录，请核对行驶证后重试。",
        }
    }
    assert _sql_shapes(unknown_plate_queries.captured_queries) == _sql_shapes(
        wrong_vin_queries.captured_queries
    )


def test_vehicle_with_no_policy_answers_the_same_404(api):
    vehicle = factories.VehicleFactory()
    unknown = api.post("renewal-status", {"plate": "苏A99999", "vin": vehicle.vin})

    answer = status_of(api, vehicle)

    assert answer.status == 404
    assert answer.body == unknown.body


def test_status_is_read_with_the_issuing_branchs_province(api, branch, other_branch):
    vehicle = insure_years(branch=branch, end=days_from_today(-365 + 60), years=2)
    # The current policy comes from the 海口 branch; its status is read from there.
    insure(vehicle, branch=other_branch, end=days_from_today(60))

    body = status_of(api, vehicle).json()

    assert body["status"] == "due"
    assert body["channels"][-1]["name"] == "柜面（海口龙华营业部）"


@pytest.mark.parametrize("years", [1, 8])
def test_queries_do_not_grow_with_the_vehicles_history(api, branch, django_assert_max_num_queries, years):
    vehicle = insure_years(branch=branch, end=days_from_today(45), years=years)
    tariff_book()  # loaded once per process, not per request

    # key lookup, vehicle, its policies with branches, usage counter
    with django_assert_max_num_queries(4):
        answer = status_of(api, vehicle)

    assert answer.status == 200


def test_a_vehicle_whose_first_policy_has_not_begun_is_upcoming_with_no_end_date_yet(api, branch):
    """docs/regulation.md §4: cover is coming, nothing was renewed and nothing lapsed."""
    start = today() + dt.timedelta(days=10)
    vehicle = factories.PolicyFactory(branch=branch, start_date=start).vehicle

    body = status_of(api, vehicle).json()

    assert body["status"] == "upcoming"
    assert body["renewal_start"] == start.isoformat()
    assert body["cover_end"] is None
    assert body["days_left"] is None


def test_a_first_policy_not_yet_started_is_upcoming_and_quotes_nothing(api, branch):
    vehicle = insure(branch=branch, end=days_from_today(370)).vehicle
    vehicle.policies.update(start_date=days_from_today(6))
    body = api.post("renewal-status", {"plate": vehicle.plate, "vin": vehicle.vin}).json()
    assert (body["status"], body["renewal_start"], body["channels"]) == (
        "upcoming", days_from_today(6).isoformat(), []
    )  # fmt: skip
    answer = api.post("quotes", {"plate": vehicle.plate, "vin": vehicle.vin})
    assert answer.status == 409
