"""Fixtures for the devhost suite: one event loop, devhost subprocesses, durable clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import azure.durable_functions as df
import pytest
from devhost_testkit import (
    APPS_DIR,
    DevHost,
    fetch_client_binding,
    reset_sdk_http_session,
    running_devhost,
)

collect_ignore = ["apps"]

T = TypeVar("T")
Runner = Callable[[Coroutine[Any, Any, T]], T]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "crash: SIGKILLs devhost mid-flight and checks recovery (slow, ~20-60 s)"
    )


# --------------------------------------------------------------------------- event loop


@pytest.fixture(scope="session")
def event_loop_session() -> Iterator[asyncio.AbstractEventLoop]:
    """The single loop all async test code runs on (the SDK's aiohttp session is global)."""
    loop = asyncio.new_event_loop()
    yield loop
    with contextlib.suppress(Exception):
        loop.run_until_complete(reset_sdk_http_session())
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


@pytest.fixture(scope="session")
def run(event_loop_session: asyncio.AbstractEventLoop) -> Runner[Any]:
    """run(coro) -> result, on the session loop."""

    def _run(coro: Coroutine[Any, Any, T]) -> T:
        return event_loop_session.run_until_complete(coro)

    return _run


# --------------------------------------------------------------------------- hosts


@pytest.fixture(scope="session")
def durable_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    with running_devhost(APPS_DIR / "durable_app", tmp_path_factory.mktemp("durable")) as host:
        yield host


@pytest.fixture(scope="session")
def client_binding(durable_host: DevHost) -> str:
    return fetch_client_binding(durable_host)


@pytest.fixture(scope="session")
def client(client_binding: str) -> df.DurableOrchestrationClient:
    return df.DurableOrchestrationClient(client_binding)


@pytest.fixture(scope="session")
def http_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevHost]:
    with running_devhost(APPS_DIR / "http_app", tmp_path_factory.mktemp("http")) as host:
        yield host
