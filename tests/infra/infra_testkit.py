"""What infra/ declares and what the code reads, read without a Bicep compiler.

The Bicep here is read with small, strict patterns over the files' text (the full parse,
pycep, runs in scripts/check-infra). A pattern that no longer matches fails the tests, so
a template change cannot silently empty what they compare.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"
SETTING = re.compile(r"QJOBS_[A-Z0-9_]+")
BINDING_SETTING = re.compile(r"%(QJOBS_[A-Z0-9_]+)%")
# Settings the code reads that are not QJOBS_*: the host's storage, qdk's telemetry switch.
OTHER_SETTINGS = {"AzureWebJobsStorage", "QDK_PYTHON_TELEMETRY"}


def app_code_files() -> list[Path]:
    """shared/ and every function folder: the code Azure runs."""
    folders = [REPO_ROOT / "shared"]
    folders += [path.parent for path in REPO_ROOT.glob("*/function.json")]
    return sorted(file for folder in folders for file in folder.rglob("*.py"))


def settings_read_by_code() -> set[str]:
    """Every setting name the app's code reads: QJOBS_* string constants, the names passed
    to env.get / os.environ.get / setdefault / number_setting, and the %QJOBS_*% expressions
    the host resolves in function.json bindings (a timer's schedule)."""
    names: set[str] = set()
    for file in app_code_files():
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and (SETTING.fullmatch(value) or value in OTHER_SETTINGS):
                names.add(value)
    for spec in REPO_ROOT.glob("*/function.json"):
        names.update(BINDING_SETTING.findall(spec.read_text()))
    return names


def block(text: str, opening: str) -> str:
    """The brace-balanced block that starts at the line `opening` (up to its `{`)."""
    start = text.index(opening)
    depth = 0
    for position in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return text[start : position + 1]
    raise ValueError(f"unbalanced block after {opening!r}")


def app_settings_in_template() -> set[str]:
    """The names in function-app.bicep's appsettings resource."""
    text = (INFRA / "modules" / "function-app.bicep").read_text()
    resource = block(text, "resource appSettings ")
    properties = block(resource, "  properties: {")
    names = set(re.findall(r"^    ([A-Za-z_][A-Za-z0-9_]*):", properties, re.MULTILINE))
    if not names:
        raise ValueError("no app settings found in function-app.bicep")
    return names


def defaulted_settings() -> dict[str, str]:
    data = json.loads((INFRA / "app-settings-defaulted.json").read_text())
    return {name: reason for name, reason in data.items() if not name.startswith("_")}


def resource_names(bicep: Path, resource_type: str) -> set[str]:
    """The literal `name:` of each resource of `resource_type` in a Bicep file."""
    text = bicep.read_text()
    names = set()
    for match in re.finditer(rf"^resource \w+ '{re.escape(resource_type)}@[^']+' = ", text, re.M):
        body = block(text, match.group(0))
        found = re.search(r"^  name: '([^']+)'$", body, re.MULTILINE)
        if found:
            names.add(found.group(1))
    return names


def bicep_parameters(bicep: Path) -> dict[str, str]:
    """Parameter name -> the rest of its declaration line (type and default)."""
    text = bicep.read_text()
    return dict(re.findall(r"^param (\w+) (.*)$", text, re.MULTILINE))


def secure_parameters(bicep: Path) -> set[str]:
    text = bicep.read_text()
    return set(re.findall(r"^@secure\(\)\n(?:@.*\n)*param (\w+)", text, re.MULTILINE))
