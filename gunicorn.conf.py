"""gunicorn settings (`gunicorn jqx_portal.wsgi` reads this file from the working directory).

The access log has the path without its query string (%(U)s, not %(r)s): a search term in a URL
— an ID number, a phone — never reaches the log. The portal posts its searches anyway; this is
the second line of defence."""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
