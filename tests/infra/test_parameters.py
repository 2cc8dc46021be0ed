"""Parameter files name only parameters main.bicep declares, and supply every required one."""

from __future__ import annotations

import json

import pytest
from infra_testkit import INFRA, bicep_parameters, secure_parameters

MAIN = INFRA / "main.bicep"
FILES = [INFRA / "main.parameters.json", *sorted((INFRA / "env").glob("*.parameters.json"))]


def supplied(path) -> dict:
    return json.loads(path.read_text())["parameters"]


def test_there_is_a_parameter_file_per_profile() -> None:
    assert {path.name for path in FILES} >= {"dev.parameters.json", "prod.parameters.json"}


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_parameter_file_names_only_declared_parameters(path) -> None:
    assert supplied(path).keys() <= bicep_parameters(MAIN).keys()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_parameter_file_supplies_every_required_parameter(path) -> None:
    declared = bicep_parameters(MAIN)
    required = {name for name, rest in declared.items() if "=" not in rest}
    # Secrets are never in a file: azd generates them (main.parameters.json), az takes them
    # on the command line (README, Deploy).
    missing = required - supplied(path).keys() - secure_parameters(MAIN)
    assert not missing


@pytest.mark.parametrize("path", sorted((INFRA / "env").glob("*.json")), ids=lambda p: p.name)
def test_profile_files_hold_no_secret(path) -> None:
    assert not supplied(path).keys() & secure_parameters(MAIN)


def test_profile_files_select_their_profile() -> None:
    for profile in ("dev", "prod"):
        assert supplied(INFRA / "env" / f"{profile}.parameters.json")["profile"]["value"] == profile
