"""Fixtures for the job API suite: Azurite and devhost serving the app root, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_testkit import KEYS, Api, api_env, start_api_host
from devhost_testkit import DevHost

from devhost.azurite import Azurite


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    with Azurite(location=tmp_path_factory.mktemp("azurite")) as service:
        yield service


@pytest.fixture(scope="session")
def api_host(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    host = start_api_host(tmp_path_factory.mktemp("api"), api_env(azurite.connection_string))
    yield host
    host.stop()


@pytest.fixture(scope="session")
def impatient(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A second host with a 4 s maximum job duration and a 0.2 s SplitWeights wait."""
    env = api_env(
        azurite.connection_string,
        QJOBS_MAX_JOB_SECONDS="4",
        QJOBS_SPLITWEIGHTS_WAIT_SECONDS="0.2",
    )
    host = start_api_host(tmp_path_factory.mktemp("impatient"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


@pytest.fixture(scope="session")
def alice(api_host: DevHost) -> Api:
    return Api(api_host, KEYS["alice"])


@pytest.fixture(scope="session")
def bob(api_host: DevHost) -> Api:
    return Api(api_host, KEYS["bob"])


@pytest.fixture(scope="session")
def anonymous(api_host: DevHost) -> Api:
    return Api(api_host, None)
