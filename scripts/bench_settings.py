"""Settings of the HTTP benchmark's gunicorn (scripts/bench_http.py): the portal's settings, read
from the environment as always, with the benchmark's URLconf (the portal's URLs plus a minimal
page that production never serves)."""

from jqx_portal.settings import *  # noqa: F403

ROOT_URLCONF = "scripts.bench_urls"
