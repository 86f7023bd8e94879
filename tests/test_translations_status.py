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


def test_review_flag_is_read_from_the_catalogue_and_survives_an_update(tmp_path):
    """Babel's parser drops unknown X- headers and `pybabel update` rewrites the header; the
    status page must still tell a reviewed catalogue from a draft."""
    from passport.translate import _set_review_status, review_status

    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"X-Review-Status: reviewed by M. Dupont\\n"\n'
        '"Generated-By: Babel 2.19.0\\n"\n',
        encoding="utf-8",
    )
    assert review_status(po) == "reviewed by M. Dupont"

    po.write_text(  # what `pybabel update` leaves: the flag is gone
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Generated-By: Babel 2.19.0\\n"\n',
        encoding="utf-8",
    )
    assert review_status(po) == "draft"
    _set_review_status(po, "reviewed by M. Dupont")
    assert review_status(po) == "reviewed by M. Dupont"
    assert po.read_text(encoding="utf-8").count("X-Review-Status") == 1
