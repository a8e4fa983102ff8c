"""WSGI entry point: `gunicorn jqx_portal.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

from jqx_portal.startup import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
application = get_wsgi_application()
require_secret_key()
