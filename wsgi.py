"""WSGI entry point for production servers: `gunicorn wsgi:app`."""

from passport import create_app

app = create_app()
