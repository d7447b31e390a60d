"""Brute force, forged addresses and what the public may not learn."""

import logging

import pytest
from django.urls import reverse

from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
TOKEN = "/api/v1/auth/token/"


def admin_login(client, username, password, **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **headers
    )


def test_the_admin_login_locks_an_account_after_five_failures_even_for_the_right_password(
    client, caplog
):
    editor = EditorFactory()
    with caplog.at_level(logging.WARNING, logger="axes"):
        codes = [admin_login(client, editor.username, "wrong").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert sum("failure" in r.getMessage().lower() for r in caplog.records) >= 5
    response = admin_login(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_the_lock_is_per_address_so_a_colleague_elsewhere_still_logs_in(client):
    editor = EditorFactory()
    for _ in range(5):
        admin_login(client, editor.username, "wrong")
    elsewhere = admin_login(client, editor.username, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lock(client):
    editor = EditorFactory()
    for n in range(5):
        admin_login(client, editor.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    forged = admin_login(client, editor.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert forged.status_code == 429


def test_the_token_login_locks_too_and_says_so(api):
    editor = EditorFactory()
    wrong = {"username": editor.username, "password": "wrong"}
    codes = [api.post(TOKEN, wrong).status_code for _ in range(5)]
    assert codes[:4] == [401, 401, 401, 401]
    right = api.post(TOKEN, {"username": editor.username, "password": PASSWORD})
    assert right.status_code == 429
    assert "locked" in right.json()["detail"]
