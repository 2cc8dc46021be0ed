"""devhost matches route templates as the Functions host does: the length constraints."""

from __future__ import annotations

import pytest

from devhost.routing import RouteTemplateError, compile_template


def test_an_empty_optional_parameter_matches_the_prefix_alone() -> None:
    template = compile_template("{empty:maxlength(0)?}")

    assert template.match("") is not None
    assert template.match("/") is not None
    assert template.match("jobs") is None


@pytest.mark.parametrize(
    ("template", "path", "matches"),
    [
        ("codes/{code:length(3)}", "codes/abc", True),
        ("codes/{code:length(3)}", "codes/abcd", False),
        ("codes/{code:minlength(2)}", "codes/a", False),
        ("codes/{code:minlength(2)}", "codes/ab", True),
        ("codes/{code:maxlength(2)}", "codes/abc", False),
    ],
)
def test_length_constraints_bound_the_value(template: str, path: str, matches: bool) -> None:
    assert (compile_template(template).match(path) is not None) is matches


@pytest.mark.parametrize("template", ["{id:maxlength}", "{id:int(3)}", "{id:shortest(2)}"])
def test_a_constraint_with_a_wrong_argument_is_refused(template: str) -> None:
    with pytest.raises(RouteTemplateError):
        compile_template(template)
