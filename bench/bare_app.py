"""The baseline for bench/http_load.py: a bare Flask app with endpoints shaped like the real
ones (a small HTML page per request, no database), served by gunicorn exactly as the app is."""

from flask import Flask

app = Flask(__name__)

PAGE = "<!doctype html><title>Verification</title><h1>Passport {}</h1><p>Valid.</p>"


@app.get("/verify/<public_id>")
def verify(public_id: str) -> str:
    return PAGE.format(public_id[:40])


@app.get("/")
def home() -> str:
    return PAGE.format("list")
