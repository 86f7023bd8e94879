from tests.conftest import login


def test_login_page_and_thin_slice_start(client, world):
    assert client.get("/login").status_code == 200
    login(client, "coord@test.org")
    page = client.get("/")
    assert page.status_code == 200
