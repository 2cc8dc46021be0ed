"""Gateway mode: the caller API Management names is trusted only next to the gateway's secret."""

from __future__ import annotations

import pytest

from shared.auth import (
    GATEWAY_CLIENT_HEADER,
    GATEWAY_SECRET_HEADER,
    identify_caller,
    key_hash,
)
from shared.config import ConfigError, load_settings
from shared.problems import ApiError

SECRET = "s" * 40
GATEWAY = {"QJOBS_AUTH_MODE": "gateway", "QJOBS_GATEWAY_SECRET": SECRET}
API_KEYS = {"QJOBS_API_KEYS": f"alice:{key_hash('alice-key')}"}


def from_gateway(client: str, secret: str = SECRET) -> dict[str, str]:
    return {GATEWAY_SECRET_HEADER: secret, GATEWAY_CLIENT_HEADER: client}


def test_api_keys_are_the_default_mode() -> None:
    assert load_settings({}).auth_mode == "api-keys"


def test_gateway_mode_names_the_client_the_gateway_forwards() -> None:
    settings = load_settings(GATEWAY)
    assert identify_caller(from_gateway("3f2a-team-quantum"), settings) == "3f2a-team-quantum"


def test_gateway_mode_refuses_a_wrong_secret() -> None:
    with pytest.raises(ApiError) as raised:
        identify_caller(from_gateway("alice", secret="t" * 40), load_settings(GATEWAY))
    assert raised.value.status == 401


def test_gateway_mode_refuses_a_client_header_without_the_secret() -> None:
    with pytest.raises(ApiError) as raised:
        identify_caller({GATEWAY_CLIENT_HEADER: "alice"}, load_settings(GATEWAY))
    assert raised.value.status == 401


def test_gateway_mode_refuses_api_keys() -> None:
    settings = load_settings({**GATEWAY, **API_KEYS})
    with pytest.raises(ApiError) as raised:
        identify_caller({"authorization": "Bearer alice-key"}, settings)
    assert raised.value.status == 401


@pytest.mark.parametrize("client", ["", "two words", "x" * 65, "ünïcode"])
def test_gateway_mode_refuses_an_unusable_client_name(client: str) -> None:
    with pytest.raises(ApiError) as raised:
        identify_caller(from_gateway(client), load_settings(GATEWAY))
    assert raised.value.status == 401


def test_api_key_mode_ignores_the_gateway_headers() -> None:
    settings = load_settings({**API_KEYS, "QJOBS_GATEWAY_SECRET": SECRET})
    with pytest.raises(ApiError) as raised:
        identify_caller(from_gateway("alice"), settings)
    assert raised.value.status == 401
    assert identify_caller({"authorization": "Bearer alice-key"}, settings) == "alice"


@pytest.mark.parametrize("secret", [None, "short"])
def test_gateway_mode_needs_a_long_secret(secret: str | None) -> None:
    env = {"QJOBS_AUTH_MODE": "gateway"} | ({"QJOBS_GATEWAY_SECRET": secret} if secret else {})
    with pytest.raises(ConfigError, match="QJOBS_GATEWAY_SECRET"):
        load_settings(env)


def test_an_unknown_auth_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="QJOBS_AUTH_MODE"):
        load_settings({"QJOBS_AUTH_MODE": "open"})


def test_the_gateway_secret_never_shows_in_the_settings_repr() -> None:
    assert SECRET not in repr(load_settings(GATEWAY))


def test_an_unresolved_key_vault_reference_is_not_taken_for_the_secret() -> None:
    reference = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/gateway-secret/1)"
    with pytest.raises(ConfigError, match="could not resolve"):
        load_settings({"QJOBS_AUTH_MODE": "gateway", "QJOBS_GATEWAY_SECRET": reference})
