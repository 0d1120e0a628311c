"""A forged X-Forwarded-For header resets neither the login lockout nor the
resume-code limit: the address is the one the trusted proxy appended."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from meldcode_survey.accounts.roles import ANALYST
from meldcode_survey.lib.ratelimit import client_address
from meldcode_survey.responses import views
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.2"  # the reverse proxy, as the app sees it
CLIENT = "203.0.113.7"  # the attacker, as the proxy saw them


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _through_proxy(forged: str) -> dict:
    """Headers as nginx passes them on: what the client sent, then its address."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{forged}, {CLIENT}"}


@pytest.mark.parametrize(
    ("proxies", "header", "expected"),
    [
        (0, "198.51.100.1", PROXY),
        (1, "", PROXY),
        (1, CLIENT, CLIENT),
        (1, f"198.51.100.1, {CLIENT}", CLIENT),
        (1, f"not-an-address, 198.51.100.1, {CLIENT}", CLIENT),
        (2, f"198.51.100.1, {CLIENT}, 192.0.2.9", CLIENT),
    ],
)
def test_the_client_is_the_entry_the_trusted_proxies_appended(
    settings, proxies, header, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": PROXY}
    if header:
        meta["HTTP_X_FORWARDED_FOR"] = header
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_forged_addresses_do_not_reset_the_login_lockout(client):
    user = factories.UserFactory(role=ANALYST)
    user.set_password(PASSWORD)
    user.save()
    for i in range(12):
        client.post(
            reverse("login"),
            {"username": user.username, "password": "wrong password"},
            **_through_proxy(f"198.51.100.{i}"),
        )

    right = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        **_through_proxy("198.51.100.99"),
    )

    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_forged_addresses_do_not_reset_the_resume_code_limit(
    client, seed_version, monkeypatch
):
    monkeypatch.setattr(views, "RESUME_FAILURE_RATE", "20/10m")
    statuses = [
        client.post(
            f"/q/{seed_version.questionnaire.slug}/hervatten/",
            {"code": f"WRONG-{i:04d}"},
            **_through_proxy(f"198.51.100.{i}"),
        ).status_code
        for i in range(25)
    ]
    assert statuses[:20] == [404] * 20
    assert set(statuses[21:]) == {429}
