"""Citizen log-in through an external identity provider by OpenID Connect: configured by
the environment (OIDC_* in settings.py), offered on the log-in page, and sending the citizen
to the provider with PKCE. The provider is a small local server that publishes its
configuration, as a real one does at /.well-known/openid-configuration."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def identity_provider():
    """The address of a provider that publishes its endpoints and nothing else."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    base = f"http://127.0.0.1:{server.server_port}"

    class Configuration(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/.well-known/openid-configuration":
                self.send_error(404)
                return
            body = json.dumps(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Configuration
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


@pytest.fixture
def servicekonto(settings, identity_provider):
    """The settings OIDC_SERVER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET make."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "servicekonto",
                    "name": "Servicekonto Sachsen-Anhalt",
                    "client_id": "barleben-portal",
                    "secret": "geheim",
                    "settings": {"server_url": identity_provider},
                }
            ],
        }
    }
    return identity_provider


def test_without_configuration_the_log_in_page_offers_no_provider(client, demo):
    response = client.get(reverse("account_login"))

    assert "Servicekonto" not in response.content.decode()


def test_the_log_in_page_offers_the_configured_provider(client, demo, servicekonto):
    response = client.get(reverse("account_login"))

    assert "Servicekonto Sachsen-Anhalt" in response.content.decode()


def test_logging_in_sends_the_citizen_to_the_provider_with_pkce(client, demo, servicekonto):
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "servicekonto"})

    response = client.post(login_url)

    assert response.status_code == 302
    target = urlsplit(response.url)
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{servicekonto}/authorize"
    assert query["client_id"] == ["barleben-portal"]
    assert query["response_type"] == ["code"]
    assert "openid" in query["scope"][0].split()
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"][0].endswith(
        reverse("openid_connect_callback", kwargs={"provider_id": "servicekonto"})
    )
