"""Reading the dashboard's charts from a response: the JSON each chart panel carries."""

import datetime as dt
import json
import re
from html import unescape


def chart_of(response, key: str) -> dict:
    match = re.search(
        rf'<script id="chart-{key}" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, f"chart {key} missing"
    return json.loads(unescape(match[1]))


def point_of(chart: dict, series: str, month: dt.date) -> dict:
    (named,) = [s for s in chart["series"] if s["name"] == series]
    return named["data"][chart["x"].index(f"{month:%Y-%m}")]


def listed(response, attribute: str = "data-policy") -> list[str]:
    """The keys of the rows a list page shows (`data-policy="…"` on each row)."""
    return re.findall(rf'{attribute}="([^"]+)"', response.content.decode())
