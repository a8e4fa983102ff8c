"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from jqx_portal.startup import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
application = get_asgi_application()
require_secret_key()
