"""Load a folder-per-function app: host.json, every function.json, and its entry point.

Functions are imported as ``__app__.<folder>`` with the app root on ``sys.path``,
as the Azure Functions Python worker does, so both ``from ..shared import x`` and
``from shared import x`` work.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import azure.functions as func

APP_PACKAGE = "__app__"
V2_MODEL_SCRIPT = "function_app.py"

HTTP_TRIGGER = "httpTrigger"
ORCHESTRATION_TRIGGER = "orchestrationTrigger"
ACTIVITY_TRIGGER = "activityTrigger"
ENTITY_TRIGGER = "entityTrigger"
TIMER_TRIGGER = "timerTrigger"
DURABLE_CLIENT_TYPES = frozenset({"durableClient", "orchestrationClient"})
SUPPORTED_BINDINGS = (
    frozenset(
        {
            HTTP_TRIGGER,
            "http",
            ORCHESTRATION_TRIGGER,
            ACTIVITY_TRIGGER,
            ENTITY_TRIGGER,
            TIMER_TRIGGER,
        }
    )
    | DURABLE_CLIENT_TYPES
)


class AppLoadError(Exception):
    """The app cannot be served; the message names the function folder and the cause."""


@dataclass(frozen=True)
class Binding:
    name: str
    type: str
    direction: str
    settings: dict


@dataclass
class Function:
    name: str
    directory: Path
    bindings: list[Binding]
    entry: Callable[..., Any]
    trigger: Binding
    context_param: str | None
    is_async: bool
    parameters: list[str] = field(default_factory=list)

    @property
    def trigger_type(self) -> str:
        return self.trigger.type

    def bindings_of(self, direction: str) -> list[Binding]:
        return [b for b in self.bindings if b.direction == direction]


@dataclass
class App:
    root: Path
    host_config: dict
    functions: dict[str, Function]

    @property
    def route_prefix(self) -> str:
        http = self.host_config.get("extensions", {}).get("http", {})
        return str(http.get("routePrefix", "api")).strip("/")

    @property
    def durable_settings(self) -> dict:
        return self.host_config.get("extensions", {}).get("durableTask", {})

    @property
    def hub_name(self) -> str:
        return str(self.durable_settings.get("hubName", "TestHubName"))

    @property
    def replaces_running_instances(self) -> bool:
        """host.json's overridableExistingInstanceStates: AnyState (default) or NonRunningStates."""
        states = str(self.durable_settings.get("overridableExistingInstanceStates", "AnyState"))
        return states.lower() != "nonrunningstates"

    @property
    def max_concurrent_activities(self) -> int:
        """host.json's maxConcurrentActivityFunctions; Azure's default is 10 per core."""
        configured = self.durable_settings.get("maxConcurrentActivityFunctions")
        if isinstance(configured, int) and configured > 0:
            return configured
        return 10 * (os.cpu_count() or 1)

    def of_trigger(self, trigger_type: str) -> dict[str, Function]:
        return {n: f for n, f in self.functions.items() if f.trigger_type == trigger_type}


def load_app(root: Path) -> App:
    """Read host.json and import every function folder under ``root``."""
    root = root.resolve()
    if not root.is_dir():
        raise AppLoadError(f"app folder {root} does not exist")
    host_config = _read_host_json(root)
    _install_app_package(root)
    functions: dict[str, Function] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "function.json").is_file()):
        function = _load_function(folder)
        if function is not None:
            functions[function.name] = function
    if not functions and (root / V2_MODEL_SCRIPT).is_file():
        raise AppLoadError(
            f"{V2_MODEL_SCRIPT} found but no function folder: this looks like an app in the "
            "Python v2 programming model (decorators), and devhost serves only the "
            "folder-per-function (v1) model, one folder with a function.json per function"
        )
    return App(root, host_config, functions)


def _read_host_json(root: Path) -> dict:
    path = root / "host.json"
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise AppLoadError(f"host.json: cannot be read: {exc}") from exc
    if not isinstance(config, dict):
        raise AppLoadError("host.json: must hold a JSON object")
    return config


def _install_app_package(root: Path) -> None:
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    package = types.ModuleType(APP_PACKAGE)
    package.__path__ = [str(root)]
    package.__package__ = APP_PACKAGE
    sys.modules[APP_PACKAGE] = package


def _load_function(folder: Path) -> Function | None:
    name = folder.name
    try:
        spec = json.loads((folder / "function.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise AppLoadError(f"function '{name}': function.json is not valid JSON: {exc}") from exc
    if not isinstance(spec, dict):
        raise AppLoadError(f"function '{name}': function.json must hold a JSON object")
    if spec.get("disabled") is True:
        return None
    bindings = _parse_bindings(name, spec.get("bindings"))
    triggers = [b for b in bindings if b.type.endswith("Trigger")]
    if len(triggers) != 1:
        raise AppLoadError(
            f"function '{name}': needs exactly one trigger binding, has {len(triggers)}"
        )
    entry = _import_entry(folder, spec)
    parameters = list(inspect.signature(entry).parameters)
    context_param = _check_parameters(name, entry, bindings)
    return Function(
        name=name,
        directory=folder,
        bindings=bindings,
        entry=entry,
        trigger=triggers[0],
        context_param=context_param,
        is_async=inspect.iscoroutinefunction(entry),
        parameters=parameters,
    )


def _parse_bindings(name: str, raw: Any) -> list[Binding]:
    if not isinstance(raw, list) or not raw:
        raise AppLoadError(f"function '{name}': function.json needs a non-empty 'bindings' list")
    bindings = []
    for item in raw:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("type", "name", "direction")
        ):
            raise AppLoadError(
                f"function '{name}': every binding needs string 'type', 'name' and 'direction'"
            )
        if item["type"] not in SUPPORTED_BINDINGS:
            raise AppLoadError(
                f"function '{name}': binding type '{item['type']}' is not supported by devhost"
            )
        bindings.append(Binding(item["name"], item["type"], item["direction"].lower(), item))
    return bindings


def _import_entry(folder: Path, spec: dict) -> Callable[..., Any]:
    name = folder.name
    script = Path(spec.get("scriptFile") or "__init__.py")
    module_name = f"{APP_PACKAGE}.{name}"
    if script.name != "__init__.py":
        module_name += "." + script.with_suffix("").as_posix().replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise AppLoadError(
            f"function '{name}': importing {script} failed: {type(exc).__name__}: {exc}"
        ) from exc
    entry_point = spec.get("entryPoint") or "main"
    entry = getattr(module, entry_point, None)
    if not callable(entry):
        raise AppLoadError(f"function '{name}': {script} has no callable '{entry_point}'")
    return entry


def _check_parameters(name: str, entry: Callable[..., Any], bindings: list[Binding]) -> str | None:
    """Every parameter must be a binding or the invocation context; return the context's name."""
    names = {b.name for b in bindings}
    context_param = None
    for param in inspect.signature(entry).parameters.values():
        if param.name in names:
            continue
        annotation = param.annotation
        if param.name == "context" or (
            inspect.isclass(annotation) and issubclass(annotation, func.Context)
        ):
            context_param = param.name
            continue
        if param.default is inspect.Parameter.empty:
            raise AppLoadError(
                f"function '{name}': parameter '{param.name}' matches no binding in function.json"
            )
    return context_param
