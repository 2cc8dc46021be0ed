"""QJOBS_LIST_TOKEN_KEY: the key that signs GET /api/jobs continuation tokens."""

from __future__ import annotations

import pytest

from shared.config import ConfigError, load_settings

KEY = "k" * 40


def test_the_setting_is_the_key_so_every_process_accepts_the_same_tokens() -> None:
    env = {"QJOBS_LIST_TOKEN_KEY": KEY}
    assert load_settings(env).list_token_key == load_settings(env).list_token_key == KEY.encode()


def test_unset_each_process_draws_its_own_random_key() -> None:
    first, second = load_settings({}).list_token_key, load_settings({}).list_token_key
    assert len(first) == 32 and first != second


@pytest.mark.parametrize("value", ["short", "@Microsoft.KeyVault(SecretUri=https://v/secrets/x)"])
def test_a_short_or_unresolved_key_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="QJOBS_LIST_TOKEN_KEY"):
        load_settings({"QJOBS_LIST_TOKEN_KEY": value})


def test_the_key_stays_out_of_the_settings_repr() -> None:
    assert KEY not in repr(load_settings({"QJOBS_LIST_TOKEN_KEY": KEY}))
