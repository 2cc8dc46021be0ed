"""HTTP trigger route templates, matched as the Functions host (ASP.NET routing) does.

Supported: literal segments, ``{name}``, ``{name?}`` (trailing), ``{name:constraint}``
(int, long, bool, double, float, decimal, guid, alpha, datetime, and with a length
``minlength(n)``, ``maxlength(n)``, ``length(n)``) and the catch-all ``{*name}``.
``{name:maxlength(0)?}`` alone matches only the route prefix itself (``/api``).
Literals match case-insensitively. More specific templates win: literals before
constrained parameters before plain ones before optional ones before catch-alls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "bool": r"(?i:true|false)",
    "double": r"-?\d+(?:\.\d+)?",
    "float": r"-?\d+(?:\.\d+)?",
    "decimal": r"-?\d+(?:\.\d+)?",
    "guid": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
    "alpha": r"[A-Za-z]+",
    "datetime": r"[^/]+",
}
_LENGTH_CONSTRAINTS = {"minlength": "{%d,}", "maxlength": "{0,%d}", "length": "{%d}"}
_PARAMETER = re.compile(r"^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+)(?:\((\d+)\))?)?(\??)\}$")

_LITERAL, _CONSTRAINED, _PLAIN, _OPTIONAL, _CATCH_ALL = range(5)


class RouteTemplateError(ValueError):
    """A route template devhost cannot parse."""


@dataclass(frozen=True)
class RouteTemplate:
    template: str
    pattern: re.Pattern[str]
    precedence: tuple[int, ...]

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path.strip("/"))
        if found is None:
            return None
        return {k: unquote(v) for k, v in found.groupdict().items() if v is not None}


def compile_template(template: str) -> RouteTemplate:
    """Compile a route template (without the route prefix) to a matcher."""
    segments = [s for s in template.strip("/").split("/") if s]
    parts: list[str] = []
    precedence: list[int] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        parameter = _PARAMETER.match(segment)
        if parameter is None:
            if "{" in segment or "}" in segment:
                raise RouteTemplateError(f"unsupported route segment '{segment}' in '{template}'")
            parts.append("/" + re.escape(segment))
            precedence.append(_LITERAL)
            continue
        catch_all, name, constraint, argument, optional = parameter.groups()
        if catch_all:
            if not last:
                raise RouteTemplateError(f"catch-all '{segment}' must be last in '{template}'")
            parts.append(f"(?:/(?P<{name}>.*))?")
            precedence.append(_CATCH_ALL)
            continue
        value = _constraint_pattern(constraint, argument, template)
        if optional:
            if not last:
                raise RouteTemplateError(f"optional '{segment}' must be last in '{template}'")
            parts.append(f"(?:/(?P<{name}>{value}))?")
            precedence.append(_OPTIONAL)
        else:
            parts.append(f"/(?P<{name}>{value})")
            precedence.append(_CONSTRAINED if constraint else _PLAIN)
    body = "".join(parts)
    pattern = re.compile("(?i)" + (body[1:] if body.startswith("/") else body.replace("/", "", 1)))
    return RouteTemplate(template, pattern, tuple(precedence))


def _constraint_pattern(constraint: str | None, argument: str | None, template: str) -> str:
    """The pattern a parameter's value must match under `constraint` (with its argument)."""
    if constraint is None:
        return r"[^/]+"
    name = constraint.lower()
    if argument is not None and name in _LENGTH_CONSTRAINTS:
        return "[^/]" + _LENGTH_CONSTRAINTS[name] % int(argument)
    if argument is None and name in _CONSTRAINTS:
        return _CONSTRAINTS[name]
    raise RouteTemplateError(f"unknown route constraint '{constraint}' in '{template}'")
