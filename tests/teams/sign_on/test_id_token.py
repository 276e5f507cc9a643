"""The ID token's signature is checked against the provider's published keys
(the session's real identity provider), even for a token that came straight
from the token endpoint: one signed with another key, or not signed, is refused."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import RequestFactory

from teams.sign_on.oidc import OpenIDConnectAdapter


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    from tests.teams.sign_on.idp import IdentityProvider

    provider = IdentityProvider(tmp_path_factory.mktemp("idp"), redirect_port=9).start()
    yield provider
    provider.stop()


@pytest.fixture
def adapter(idp, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {
        **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
        "APPS": [{"provider_id": "corp", "name": "Corp ID", "client_id": "ocrspace-corp", "secret": "s",
                  "settings": {"server_url": idp.issuer}}],
    }}
    return OpenIDConnectAdapter(RequestFactory().get("/"), "corp")


def claims(idp) -> dict:
    now = int(time.time())
    return {"iss": idp.issuer, "aud": "ocrspace-corp", "sub": "dana", "iat": now, "exp": now + 300, "nonce": "n"}


@pytest.mark.django_db
def test_an_id_token_signed_with_another_key_is_refused(idp, adapter):
    kid = requests.get(f"{idp.issuer}/jwks", timeout=5).json()["keys"][0]["kid"]
    forged = jwt.encode(claims(idp), rsa.generate_private_key(public_exponent=65537, key_size=2048),
                        algorithm="RS256", headers={"kid": kid})
    app = SocialApp(provider="openid_connect", provider_id="corp", client_id="ocrspace-corp")
    adapter.did_fetch_access_token = True  # as after the code exchange, where allauth would skip the check
    with pytest.raises(OAuth2Error, match="id_token"):
        adapter._decode_id_token(app, forged)
    unsigned = jwt.encode(claims(idp), key=None, algorithm="none")
    with pytest.raises(OAuth2Error):
        adapter._decode_id_token(app, unsigned)
