"""Response headers, the content security policy, size limits and Chinese error pages."""
from __future__ import annotations

import base64
import hashlib
import re
from html import unescape

from .factories import make_building


def test_admin_pages_carry_the_security_headers(world, as_user):
    make_building(world, world.area_a1)
    user = as_user(world.user("street_a"))
    for url in ("/", "/building/", "/building/new/", "/audit/"):
        response = user.get(url)
        assert response.status_code == 200, url
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "no-store" in headers["Cache-Control"]
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or f'nonce="{nonce}"' in tag, (url, tag)
        for handler in re.findall(r'\son(?:click|submit|change)="([^"]+)"', html):
            digest = base64.b64encode(hashlib.sha256(unescape(handler).encode()).digest())
            assert f"'sha256-{digest.decode()}'" in policy, (url, handler)


def test_each_response_has_its_own_nonce(world, as_user):
    user = as_user(world.user("street_a"))
    first = user.get("/building/").headers["Content-Security-Policy"]
    second = user.get("/building/").headers["Content-Security-Policy"]
    assert re.search(r"nonce-\S+", first).group() != re.search(r"nonce-\S+", second).group()


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_oversized_requests_are_refused_in_chinese(app, world, as_user):
    user = as_user(world.user("street_a"))
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = user.client.post("/building/new/", data=b"x" * size,
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "过大" in response.get_data(as_text=True)


def test_error_pages_are_chinese_and_show_no_details(world, as_user):
    response = as_user(world.user("street_a")).get("/no-such-page/")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "不存在" in html
    assert "Traceback" not in html and "Not Found" not in html
