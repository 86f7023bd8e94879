"""gunicorn settings: `gunicorn -c gunicorn_conf.py wsgi:app`.

Access and error logs are JSON lines on standard error, like the app's own (passport/logs.py):
no client addresses, no query strings, personal-link tokens cut out, the request id kept.
Workers, bind address and timeouts can still be given on the command line or in
GUNICORN_CMD_ARGS (e.g. `--workers 4 --bind 0.0.0.0:8000`).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# The atoms the JSON formatter reads; the format string itself is not printed.
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(D)s %({x-request-id}o)s'
accesslog = "-"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "passport.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json",
                   "stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
}
