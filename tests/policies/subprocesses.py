"""Running manage.py commands as real processes against the test database."""

import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def sender_env(directory) -> dict:
    """The environment of a manage.py process on this test's database, writing messages to `directory`."""
    db = connection.settings_dict
    return os.environ | {
        # A Unix-socket folder (the embedded server's) is a host too, percent-encoded.
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT'] or 5432}/{db['NAME']}",
        "DATABASE_POOL": "0",
        "MESSAGE_FILE_DIR": str(directory),
        "SMS_BACKEND": "outbox.backends.FileBackend",
        "PUSH_BACKEND": "outbox.backends.FileBackend",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DEBUG": "0",
    }
