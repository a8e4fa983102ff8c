"""Log records without query strings: a search term in a URL (an ID number, a phone) must not
reach the server's logs. The portal never puts one there (searches are posted); this is the
second line of defence, for runserver's and Django's own request logging. Production's access
log is gunicorn's, whose format (gunicorn.conf.py) has the path without the query string."""

from __future__ import annotations

import logging
import re

# A query string: from "?" up to the next space or quote (the end of the request line's URL).
QUERY = re.compile(r"\?[^\s\"']*")


def strip_query(text: str) -> str:
    """`GET /support/queue/?q=430104… HTTP/1.1` → `GET /support/queue/ HTTP/1.1`."""
    return QUERY.sub("", text)


class StripQueryStringFilter(logging.Filter):
    """Drops the query string of every URL in a record of `django.server` (runserver's access
    log: "GET /path?q=… HTTP/1.1" 200 …) and `django.request` (4xx/5xx: "Not Found: /path?…"),
    in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = strip_query(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(strip_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: strip_query(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True
