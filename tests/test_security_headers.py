"""Every page carries the security headers a browser needs to refuse injected scripts."""


def test_pages_forbid_inline_scripts_and_framing(client, world):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The test app's BASE_URL is https, so browsers are told to stay on HTTPS.
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_in_templates():
    from pathlib import Path

    for template in Path(__file__).parent.parent.joinpath("templates").rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and " style=" not in text, template
