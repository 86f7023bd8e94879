"""WSGI entry point for production servers: `gunicorn wsgi:app`."""

import gc

from passport import create_app

app = create_app()
# Everything loaded so far (Flask, SQLAlchemy, Babel's locale data: some 170,000 objects) lives
# as long as the process. Frozen, the collector stops walking it on every full collection, which
# otherwise stalled one request in twenty by 70 ms (bench/data_scale.py).
gc.freeze()
