"""Caching: public pages once per language with ETag and 304; personal areas never stored."""

from __future__ import annotations

import pytest

from nervetjek.web.middleware import HEADERS


@pytest.mark.parametrize("path", ["/", "/viden/iskias"])
def test_same_page_same_etag_and_304_when_unchanged(client, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert client.get(path).headers["etag"] == etag
    assert "Accept-Language" in first.headers["vary"]
    unchanged = client.get(path, headers={"if-none-match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200


def test_each_language_has_its_own_page(client):
    danish = client.get("/viden/iskias")
    english = client.get("/viden/iskias", headers={"accept-language": "en"})
    assert danish.headers["etag"] != english.headers["etag"]
    assert '<html lang="en">' in english.text and '<html lang="da">' in danish.text


def test_the_start_page_with_answers_is_not_served_from_the_cache(client):
    anonymous = client.get("/")
    assert "Start nu" in anonymous.text
    client.post("/spoergsmaal/1", data={})  # no session yet: nothing changes
    assert client.get("/").headers["etag"] == anonymous.headers["etag"]
    form = client.get("/spoergsmaal/1").text  # now a session: the cookie holds it
    csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
    shown = form.split('name="shown" value="')[1].split('"')[0]
    data = {"csrf_token": csrf, "shown": shown} | dict.fromkeys(shown.split(","), "no")
    assert client.post("/spoergsmaal/1", data=data, follow_redirects=False).status_code == 303
    started = client.get("/")
    assert "Fortsæt, hvor du slap" in started.text and "etag" not in started.headers


def test_the_language_choice_is_remembered_in_a_cookie(client):
    response = client.get("/viden?lang=en")
    assert 'lang="en"' in response.text
    assert "nervetjek_lang=en" in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]
    assert 'lang="en"' in client.get("/viden").text  # the cookie now decides
    assert "set-cookie" not in client.get("/viden?lang=en").headers


@pytest.mark.parametrize("path", ["/klinik", "/klinik/login", "/api/klinik/henvendelser", "/send"])
def test_personal_areas_are_never_stored_by_browsers(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.headers["cache-control"] == "no-store", response.status_code


@pytest.mark.parametrize("path", ["/", "/viden/iskias", "/viden/iskias?lang=en"])
def test_a_page_from_the_cache_is_the_page_the_handler_sent(client, path):
    """The second request is answered from the cache before routing: same body, same
    headers, every security header, and no session cookie."""
    client.cookies.clear()
    built = client.get(path)
    client.cookies.clear()
    cached = client.get(path)
    assert cached.status_code == built.status_code == 200
    assert cached.content == built.content
    assert dict(cached.headers) == dict(built.headers)
    for name in HEADERS:
        assert cached.headers[name] == HEADERS[name]
    assert "nervetjek_svar" not in cached.headers.get("set-cookie", "")


def test_a_304_from_the_cache_still_has_the_security_headers(client):
    etag = client.get("/viden/iskias").headers["etag"]
    unchanged = client.get("/viden/iskias", headers={"if-none-match": etag})
    assert unchanged.status_code == 304
    assert unchanged.headers["content-security-policy"] == HEADERS["content-security-policy"]


def test_the_language_cookie_is_set_on_a_page_from_the_cache(client):
    client.get("/viden/iskias?lang=en")  # now cached
    client.cookies.clear()
    again = client.get("/viden/iskias?lang=en")
    assert 'lang="en"' in again.text and "nervetjek_lang=en" in again.headers["set-cookie"]


def test_the_health_check_is_answered_with_the_security_headers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["x-frame-options"] == HEADERS["x-frame-options"]
    assert client.head("/healthz").status_code == 200
