"""gunicorn settings (`gunicorn jqx_portal.wsgi` reads this file from the working directory).

The access log has the path without its query string (%(U)s, not %(r)s): a search term in a URL
— an ID number, a phone — never reaches the log. The portal posts its searches anyway; this is
the second line of defence.

Long exports: a 1,000,000-row export streams for minutes. Workers are threaded (gthread): the
worker's main thread tells the arbiter it is alive while a request thread streams, so `timeout`
is a heartbeat that never cuts an export short; a sync worker (`GUNICORN_WORKER_CLASS=sync
GUNICORN_THREADS=1`; with more threads gunicorn runs gthread anyway) would be killed `timeout`
seconds into any request, its export with it. The proxy in front must
allow as long a read (nginx `proxy_read_timeout`, `proxy_buffering off` for the export URLs).
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Seconds a worker may go silent before the arbiter kills it (a hung worker, not a long request).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or deploy (SIGHUP, SIGTERM) requests in flight — an export — get this long to end.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "300"))

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
