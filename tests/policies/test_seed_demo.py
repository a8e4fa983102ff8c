"""seed_demo: deterministic, realistic, valid, priced through the tariff book, all-or-nothing."""

import datetime as dt
import os
import subprocess
import sys
import types
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from demo import seeding
from policies.choices import PremiumCategory, RenewalStatus
from policies.demo import DEMO_BRANCH_CODES, DEMO_PASSWORD
from policies.identifiers import (
    check_vin,
    clean_file_number,
    clean_id_number,
    clean_licence_classes,
    clean_phone,
    clean_plate,
    is_trailer_plate,
)
from policies.importing.bulk import indexes_built_after
from policies.models import Branch, DrivingLicence, Person, Policy, User, Vehicle
from policies.pricing import quote
from policies.quotes import claims_history, vehicle_renewal_state
from policies.renewal import one_year_end
from policies.tariffs import tariff_book
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _no_other_apps(monkeypatch):
    """These tests are about the policies app's demo data; the hook tests name their hooks."""
    monkeypatch.setattr("demo.seeding.SEED_HOOKS", ())


def fake_hook(monkeypatch, name: str, **functions) -> None:
    module = types.ModuleType(name)
    for key, function in functions.items():
        setattr(module, key, function)
    monkeypatch.setattr("demo.seeding.SEED_HOOKS", (*seeding.SEED_HOOKS, module))


def seed(*args, policies=300, seed=7):
    out = StringIO()
    call_command(
        "seed_demo", "--policies", str(policies), "--seed", str(seed), "--today", TODAY.isoformat(),
        "--no-progress", *args, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def fingerprint():
    return (
        sorted(Person.objects.values_list("id_number", "name", "phone")),
        sorted(Vehicle.objects.values_list("plate", "vin", "premium_category")),
        sorted(Policy.objects.values_list("number", "start_date", "premium", "floating_reason", "status")),
    )


def policies_by_vehicle():
    grouped = defaultdict(list)
    for policy in Policy.objects.select_related("vehicle", "branch").order_by("start_date"):
        grouped[policy.vehicle_id].append(policy)
    return grouped


def test_seeds_the_number_of_policies_asked_for_and_prints_the_logins():
    out = seed()
    assert Policy.objects.count() == 300
    assert set(Branch.objects.values_list("code", flat=True)) == set(DEMO_BRANCH_CODES)
    assert f"密码均为 {DEMO_PASSWORD}" in out
    for username in ("supervisor", "clerk", "clerk_hk", "agent", "adjuster"):
        assert username in out


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    seed()
    first = fingerprint()
    seed("--reset")
    assert fingerprint() == first
    seed("--reset", seed=8)
    assert fingerprint() != first


def test_every_renewal_status_is_present_with_most_vehicles_in_force():
    seed(policies=600)
    statuses = defaultdict(int)
    for policies in policies_by_vehicle().values():
        statuses[vehicle_renewal_state(policies, day=TODAY).status] += 1
    # `upcoming` (a vehicle's first policy not yet started) is not among the demo's histories.
    assert set(statuses) == set(RenewalStatus) - {RenewalStatus.UPCOMING}
    assert statuses[RenewalStatus.IN_FORCE] == max(statuses.values())


def test_every_premium_category_appears_from_five_hundred_policies():
    seed(policies=500)
    assert set(Vehicle.objects.values_list("premium_category", flat=True)) == set(PremiumCategory.values)


def test_identifiers_pass_the_validators():
    seed()
    for id_number, phone in Person.objects.values_list("id_number", "phone"):
        assert clean_id_number(id_number, today=TODAY) == id_number
        assert clean_phone(phone) == phone
    for plate, vin, energy, displacement in Vehicle.objects.values_list(
        "plate", "vin", "energy_type", "displacement_l"
    ):
        assert clean_plate(plate) == plate and not is_trailer_plate(plate)
        assert check_vin(vin).vin == vin and not check_vin(vin).warning
        assert (displacement is None) == (energy in ("electric", "fuel_cell"))
    for licence in DrivingLicence.objects.select_related("holder"):
        assert licence.number == licence.holder.id_number
        assert clean_file_number(licence.file_number) == licence.file_number
        assert clean_licence_classes(licence.classes) == licence.classes
    assert DrivingLicence.objects.filter(valid_to__isnull=True).exists()  # long-term
    assert DrivingLicence.objects.filter(valid_to__lt=TODAY).exists()  # expired


def test_premiums_are_those_the_pricing_module_quotes():
    seed()
    book = tariff_book()
    floated = set()
    for policies in policies_by_vehicle().values():
        for index, policy in enumerate(policies):
            vehicle, branch = policy.vehicle, policy.branch
            plan, region = book.plan_for(province=branch.province, city=branch.city, day=policy.start_date)
            expected = quote(
                book, category=vehicle.premium_category, plan=plan, region=region,
                history=claims_history(policies[:index], before=policy.start_date),
                start=policy.start_date, end=one_year_end(policy.start_date),
                tax_province=branch.province, energy=vehicle.energy_type,
                displacement=vehicle.displacement_l, registration_date=vehicle.registration_date,
            )  # fmt: skip
            got = (policy.base_premium, policy.floating_plan, policy.floating_reason, policy.floating_rate,
                   policy.premium, policy.vehicle_tax, policy.total)  # fmt: skip
            assert got == (expected.base_premium, expected.floating_plan, expected.floating_reason,
                           expected.floating_rate, expected.premium, expected.vehicle_tax, expected.total)  # fmt: skip
            assert policy.renewed_from_id == (policies[index - 1].pk if index else None)
            floated.add(policy.floating_reason)
    assert {"A0", "A1", "A2", "A4"} <= floated  # floating rates move with the at-fault record


def test_demo_logins_work_for_each_role(client):
    out = seed()
    for username in ("supervisor", "clerk", "clerk_bj", "clerk_hk", "agent"):
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert f"  {username}" in out
    supervisor = User.objects.get(username="supervisor")
    assert supervisor.is_staff and not User.objects.get(username="clerk").is_staff
    assert (
        User.objects.get(username="clerk_hk").branch.province
        != User.objects.get(username="clerk").branch.province
    )
    client.force_login(supervisor)
    assert client.get("/admin/policies/policy/").status_code == 200


def test_if_empty_keeps_existing_demo_data_and_prints_the_logins_again():
    seed()
    before = fingerprint()
    out = seed("--if-empty", seed=99)
    assert "演示数据已存在，保留现有数据" in out
    assert f"演示账号（密码均为 {DEMO_PASSWORD}）" in out and "  supervisor" in out
    assert fingerprint() == before


def test_if_empty_seeds_an_empty_database():
    out = seed("--if-empty")
    assert "演示数据已生成" in out and Policy.objects.count() == 300


def test_rerun_is_refused_without_reset_and_changes_nothing():
    seed()
    before = fingerprint()
    with pytest.raises(CommandError, match="演示数据已经存在.*--reset"):
        seed(seed=99)
    assert fingerprint() == before


def test_reset_removes_the_demo_data_and_nothing_else(branch):
    seed()
    ours = PolicyFactory(branch=branch)
    old_ids = set(Policy.objects.filter(branch__code__in=DEMO_BRANCH_CODES).values_list("pk", flat=True))
    seed("--reset", policies=100)
    assert Policy.objects.filter(branch__code__in=DEMO_BRANCH_CODES).count() == 100
    assert not Policy.objects.filter(pk__in=old_ids).exists()
    assert Policy.objects.filter(pk=ours.pk).exists()
    assert Person.objects.filter(pk=ours.policyholder_id).exists()


def test_other_apps_seed_hooks_are_called_in_the_same_run(monkeypatch):
    calls = []
    fake_hook(
        monkeypatch, "claims.demo", seed=lambda **kw: calls.append(kw | {"policies": Policy.objects.count()})
    )
    fake_hook(monkeypatch, "support.demo", seed=lambda **kw: None)
    out = seed("--scale", "2.5")
    assert "已调用 claims.demo.seed" in out
    [call] = calls
    assert (call["today"], call["scale"], call["policies"]) == (TODAY, 2.5, 300)
    assert call["rng"].random() == call["rng"].__class__("7:claims.demo").random()


def test_a_failing_hook_leaves_no_half_seeded_data(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("claims demo broke")

    fake_hook(monkeypatch, "claims.demo", seed=lambda **kw: None)
    fake_hook(monkeypatch, "support.demo", seed=fail)
    with pytest.raises(RuntimeError):
        seed()
    assert not Branch.objects.filter(code__in=DEMO_BRANCH_CODES).exists()
    assert not Policy.objects.exists() and not User.objects.filter(username="clerk").exists()


def test_help_states_the_rule(capsys):
    with pytest.raises(SystemExit):
        call_command("seed_demo", "--help")
    text = "".join(capsys.readouterr().out.split())
    assert (
        "--reset" in text and "不留半成品" in text and "相同的--policies、--seed和日期生成相同的数据" in text
    )


def _schema(table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferrable, condeferred FROM pg_constraint "
            "WHERE conrelid = %s::regclass UNION ALL SELECT indexname, indexdef, NULL, NULL FROM pg_indexes "
            "WHERE tablename = %s",
            [table, table],
        )
        return sorted(cursor.fetchall(), key=str)


def test_large_seeds_rebuild_every_key_and_index_they_set_aside(monkeypatch):
    monkeypatch.setattr("policies.demo.seed.BUILD_INDEXES_AFTER_FROM", 100)
    tables = [m._meta.db_table for m in (Person, DrivingLicence, Vehicle, Policy)]
    before = {t: _schema(t) for t in tables}
    seed()
    assert {t: _schema(t) for t in tables} == before
    assert Policy.objects.count() == 300


def test_a_violation_loaded_without_indexes_aborts_when_they_are_rebuilt(branch):
    first = PolicyFactory(branch=branch, start_date=dt.date(2026, 1, 1))
    before = _schema("policies_policy")
    with pytest.raises(IntegrityError), transaction.atomic(), indexes_built_after(Policy):
        PolicyFactory(vehicle=first.vehicle, branch=branch, start_date=dt.date(2026, 6, 1))  # overlaps
    assert _schema("policies_policy") == before
    assert Policy.objects.count() == 1


def test_demo_and_imports_run_from_the_command_line(tmp_path):
    """The demo's and the import's commands, as an operator runs them, on a database of their own."""
    data = Path(__file__).resolve().parent.parent / "data"
    corrected = tmp_path / "policies.csv"
    corrected.write_text(
        (data / "policies.csv").read_text(encoding="utf-8").replace("855.00,1,0", "855.00,0,0"),
        encoding="utf-8",
    )
    own = _scratch_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env |= {"DATABASE_URL": own.url, "DEBUG": "1"}

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput", "-v", "0")
    assert "保单 300" in manage("seed_demo", "--policies", "300", "--no-progress")
    manage("import_branches", str(data / "branches.csv"))
    assert "新增 6" in manage("import_policies", str(data / "policies.csv"), "--no-progress")
    assert "新增 0，更新 2，未变 4" in manage("import_policies", str(corrected), "--no-progress")
    assert "保单 200" in manage("seed_demo", "--policies", "200", "--reset", "--no-progress")
    own.drop()


class _Scratch:
    """A database of its own on the test server, for commands run in another process."""

    def __init__(self, name: str) -> None:
        self.name = name
        params = connection.settings_dict
        self.admin = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
        host = params["HOST"] or ""
        self.url = (
            f"postgres://{params['USER']}@{'%2F'.join(host.split('/')) if host.startswith('/') else host}"
        )
        self.url += f":{params['PORT']}/{name}" if params["PORT"] else f"/{name}"

    def run(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.admin) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        self.run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _scratch_database() -> _Scratch:
    scratch = _Scratch(f"{connection.settings_dict['NAME']}_cli")
    scratch.drop()
    scratch.run(f'CREATE DATABASE "{scratch.name}"')
    return scratch


def test_reset_calls_the_other_apps_reset_hooks_before_deleting(monkeypatch):
    seed()
    seen = []
    fake_hook(
        monkeypatch,
        "claims.demo",
        seed=lambda **kw: None,
        reset=lambda **kw: seen.append(Policy.objects.count()),
    )
    fake_hook(monkeypatch, "support.demo", seed=lambda **kw: None)
    seed("--reset", policies=100)
    assert seen == [300]  # called while the old demo data was still there
    assert Policy.objects.count() == 100


def test_rows_another_app_forbids_deleting_make_reset_fail_cleanly(monkeypatch):
    seed()
    before = fingerprint()
    with connection.cursor() as cursor:  # an append-only rule on a table that refers to demo people
        cursor.execute(
            "CREATE FUNCTION jqx_test_keep() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '不能删除'; END; $$ "
            "LANGUAGE plpgsql; CREATE TRIGGER jqx_test_keep BEFORE DELETE ON policies_drivinglicence "
            "FOR EACH ROW EXECUTE FUNCTION jqx_test_keep()"
        )
    with pytest.raises(CommandError, match="无法删除现有演示数据：不能删除.*reset"):
        seed("--reset")
    assert fingerprint() == before
