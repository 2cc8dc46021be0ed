"""Every setting the code reads is set by the templates or deliberately left to its default."""

from __future__ import annotations

from infra_testkit import (
    OTHER_SETTINGS,
    app_settings_in_template,
    defaulted_settings,
    settings_read_by_code,
)


def test_every_setting_the_code_reads_is_set_or_deliberately_defaulted() -> None:
    unaccounted = settings_read_by_code() - app_settings_in_template() - defaulted_settings().keys()
    assert not unaccounted, (
        "set these in infra/modules/function-app.bicep, or list them with a reason in"
        f" infra/app-settings-defaulted.json: {sorted(unaccounted)}"
    )


def test_no_qjobs_setting_in_infra_is_unknown_to_the_code() -> None:
    declared = {
        name
        for name in app_settings_in_template() | defaulted_settings().keys()
        if name.startswith("QJOBS_") or name in OTHER_SETTINGS
    }
    stale = declared - settings_read_by_code()
    assert not stale, f"infra names settings the code no longer reads: {sorted(stale)}"


def test_a_setting_is_either_set_or_defaulted_not_both() -> None:
    assert not app_settings_in_template() & defaulted_settings().keys()


def test_every_deliberate_default_gives_its_reason() -> None:
    assert all(reason.strip() for reason in defaulted_settings().values())


def test_the_scan_finds_settings_in_every_layer_that_reads_them() -> None:
    """Guards the scanner itself: config, workspace, targets, auth mode, binding settings."""
    read = settings_read_by_code()
    expected = {"QJOBS_MAX_BODY_BYTES", "QJOBS_KEYVAULT_URL", "QJOBS_REMOTE_TARGETS"}
    assert expected | {"QJOBS_AUTH_MODE", "QJOBS_GATEWAY_SECRET"} <= read
    assert "QJOBS_PURGE_SCHEDULE" in read  # from purge_jobs/function.json


def test_azure_runs_the_app_in_gateway_mode_with_keyless_storage() -> None:
    settings = app_settings_in_template()
    assert {"QJOBS_AUTH_MODE", "QJOBS_GATEWAY_SECRET", "QJOBS_BLOB_ACCOUNT_URL"} <= settings
    assert "QJOBS_BLOB_CONNECTION_STRING" not in settings
    assert "QJOBS_WORKSPACE_CONNECTION_STRING" not in settings
