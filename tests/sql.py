"""What a captured query ran, for EXPLAIN tests."""

import re

# django-pghistory's middleware sends each statement of a request behind a set_config() of
# its own (who and which page), as one string: EXPLAIN must see the statement alone.
_HISTORY_CONTEXT = re.compile(r"^SELECT set_config\('pghistory\.context_id'.*?\);\s*", re.S)


def statement(sql: str) -> str:
    """The captured SQL without django-pghistory's context prefix."""
    return _HISTORY_CONTEXT.sub("", sql, count=1)
