"""Reading the sign-on settings from the environment: a bad value stops
start-up with one message naming the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from ocrspace.settings.sign_on import oidc_providers, origin_of, team_map


def test_team_maps_take_several_entries_and_default_to_member():
    assert team_map("ocr-sales=sales:admin; ocr-all=sales ;cn=x,ou=y=lab:viewer", "V") == {
        "ocr-sales": [("sales", "admin")], "ocr-all": [("sales", "member")], "cn=x,ou=y": [("lab", "viewer")],
    }
    assert team_map("", "V") == {}


@pytest.mark.parametrize("value", ["no-equals", "g=sales:boss", "=sales:member", "g=Bad Slug:member"])
def test_a_bad_team_map_entry_is_named(value):
    with pytest.raises(ImproperlyConfigured, match="OCRSPACE_LDAP_TEAM_MAP has a bad entry"):
        team_map(value, "OCRSPACE_LDAP_TEAM_MAP")


def test_providers_are_read_per_id():
    env = {
        "OCRSPACE_OIDC_PROVIDERS": "corp, azure-ad",
        "OCRSPACE_OIDC_CORP_ISSUER": "https://id.corp.example/realms/main/", "OCRSPACE_OIDC_CORP_CLIENT_ID": "ocr",
        "OCRSPACE_OIDC_CORP_CLIENT_SECRET": "s", "OCRSPACE_OIDC_CORP_NAME": "Corp ID",
        "OCRSPACE_OIDC_CORP_TEAM_MAP": "ocr-sales=sales:member",
        "OCRSPACE_OIDC_AZURE_AD_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
        "OCRSPACE_OIDC_AZURE_AD_CLIENT_ID": "a", "OCRSPACE_OIDC_AZURE_AD_CLIENT_SECRET": "b",
        "OCRSPACE_OIDC_AZURE_AD_SCOPES": "email profile",
    }
    corp, azure = oidc_providers(env)
    assert (corp["id"], corp["name"], corp["issuer"]) == ("corp", "Corp ID", "https://id.corp.example/realms/main")
    assert corp["scopes"] == ["openid", "email", "profile"] and corp["team_map"] == {"ocr-sales": [("sales", "member")]}
    assert (azure["name"], azure["scopes"], azure["groups_claim"]) == ("azure-ad", ["openid", "email", "profile"], "groups")
    assert origin_of(azure["issuer"]) == "https://login.microsoftonline.com"


def test_a_provider_without_its_secret_is_named():
    env = {"OCRSPACE_OIDC_PROVIDERS": "corp", "OCRSPACE_OIDC_CORP_ISSUER": "https://id.example", "OCRSPACE_OIDC_CORP_CLIENT_ID": "x"}
    with pytest.raises(ImproperlyConfigured, match="needs OCRSPACE_OIDC_CORP_CLIENT_SECRET"):
        oidc_providers(env)
    with pytest.raises(ImproperlyConfigured, match="lower-case"):
        oidc_providers({"OCRSPACE_OIDC_PROVIDERS": "Corp_1"})
