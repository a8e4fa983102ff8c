"""The demo's dashboard figures: the monthly summaries computed over every month of the demo
data, as the first run of `refresh_insights --all` would (the demo's claims, tickets and
renewal chains go back years, so every chart has a history)."""

from __future__ import annotations

import datetime as dt
import random

from insights.refresh import earliest_month, summaries_refresh


def seed(*, rng: random.Random, today: dt.date, stdout, scale: float = 1.0) -> int:
    run = summaries_refresh(first=earliest_month(), day=today)
    if stdout is not None:
        stdout.write(f"经营看板统计：{run.first_month:%Y-%m} 至 {run.last_month:%Y-%m}，{run.rows} 行。")
    return run.rows
