"""The regulation the code encodes is documented inside the repository, and the seeded
tables cite it by section (docs/regulation.md)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from claims.models import LiabilityLimit
from policies.models import BasePremiumRate, FloatingPlanRegion, FloatingRate, ProvinceRule, ShortTermRate

DOC = Path(settings.BASE_DIR) / "docs" / "regulation.md"
SECTIONS = {int(n) for n in re.findall(r"^## (\d+)\. ", DOC.read_text(encoding="utf-8"), flags=re.M)}
CITATION = re.compile(r"^docs/regulation\.md §(\d+)")


def test_the_document_has_every_section_the_code_cites():
    cited = set()
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if ".venv" in path.parts or "migrations" in path.parts:
            continue
        cited |= {int(n) for n in re.findall(r"docs/regulation\.md §(\d+)", path.read_text(encoding="utf-8"))}
    assert cited, "the code cites the regulation by section"
    assert cited <= SECTIONS


@pytest.mark.parametrize(
    "model", [BasePremiumRate, FloatingPlanRegion, FloatingRate, ShortTermRate, ProvinceRule, LiabilityLimit]
)
def test_seeded_rows_cite_a_section_of_the_document(db, model):
    sources = set(model.objects.values_list("source", flat=True))
    assert sources
    for source in sources:
        match = CITATION.match(source)
        assert match and int(match.group(1)) in SECTIONS, source
