from tests.conftest import login


def test_administrator_sees_translation_status_per_language(client, world):
    login(client, "admin@test.org")
    page = client.get("/admin/translations")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for name in ("Arabic", "Tigrinya", "Ukrainian", "Norwegian Nynorsk"):
        assert name in text


def test_translation_status_counts_strings(app):
    from passport.translate import catalogue_status

    status = catalogue_status("ar")
    assert status.total > 100
    assert 0 <= status.percent <= 100
    assert status.translated + len(status.missing) == status.total
