"""API Management's policies: well-formed, and naming only what the templates define."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

import pytest
from infra_testkit import INFRA, REPO_ROOT, resource_names

from shared.auth import GATEWAY_CLIENT_HEADER, GATEWAY_SECRET_HEADER

APIM = INFRA / "modules" / "apim.bicep"
POLICIES = sorted((INFRA / "apim").glob("*.xml"))
NAMED_VALUE = re.compile(r"\{\{([^{}]+)\}\}")


def policy_text(name: str) -> str:
    return (INFRA / "apim" / name).read_text()


def test_there_are_policies_to_check() -> None:
    assert {path.name for path in POLICIES} >= {"api-policy.xml", "result-policy.xml"}


@pytest.mark.parametrize("policy", POLICIES, ids=lambda path: path.name)
def test_policy_xml_is_well_formed(policy) -> None:
    root = ElementTree.fromstring(policy.read_text())
    assert root.tag in {"policies", "fragment"}


@pytest.mark.parametrize("policy", POLICIES, ids=lambda path: path.name)
def test_policy_references_only_named_values_the_template_defines(policy) -> None:
    defined = resource_names(APIM, "Microsoft.ApiManagement/service/namedValues")
    referenced = set(NAMED_VALUE.findall(policy.read_text()))
    assert referenced <= defined, f"undefined named values: {sorted(referenced - defined)}"


def test_the_backends_name_its_function_key_by_a_defined_named_value() -> None:
    defined = resource_names(APIM, "Microsoft.ApiManagement/service/namedValues")
    assert set(NAMED_VALUE.findall(APIM.read_text())) <= defined


def test_fragments_and_backends_the_policies_name_are_defined() -> None:
    text = "".join(path.read_text() for path in POLICIES)
    fragments = set(re.findall(r'fragment-id="([^"]+)"', text))
    backends = set(re.findall(r'backend-id="([^"]+)"', text))
    assert fragments and fragments <= resource_names(
        APIM, "Microsoft.ApiManagement/service/policyFragments"
    )
    assert backends and backends <= resource_names(APIM, "Microsoft.ApiManagement/service/backends")


def test_the_cached_operation_exists_in_the_openapi_document() -> None:
    operations = {
        operation["operationId"]
        for path in json.loads((REPO_ROOT / "shared" / "openapi.json").read_text())[
            "paths"
        ].values()
        for method, operation in path.items()
        if method != "parameters"
    }
    cached = re.search(
        r"operations@[^']+' existing = \{\n  parent: api\n  name: '(\w+)'", APIM.read_text()
    )
    assert cached is not None and cached.group(1) in operations


def test_the_gateway_drops_then_sets_the_headers_the_app_trusts() -> None:
    inbound = ElementTree.fromstring(policy_text("api-policy.xml")).find("inbound")
    headers = [(e.get("name"), e.get("exists-action")) for e in inbound.iter("set-header")]
    for name in (GATEWAY_CLIENT_HEADER, GATEWAY_SECRET_HEADER):
        assert headers.index((name, "delete")) < headers.index((name, "override"))


def test_only_a_succeeded_result_is_stored_in_the_cache() -> None:
    outbound = ElementTree.fromstring(policy_text("result-policy.xml")).find("outbound")
    (when,) = outbound.iter("when")
    assert when.get("condition") == "@(context.Response.StatusCode == 200)"
    assert when.find("cache-store") is not None
    lookup = ElementTree.fromstring(policy_text("result-policy.xml")).find("inbound/cache-lookup")
    assert [e.text for e in lookup.iter("vary-by-header")] == [GATEWAY_CLIENT_HEADER]


def test_location_is_rewritten_to_the_gateway_host() -> None:
    outbound = ElementTree.fromstring(policy_text("api-policy.xml")).find("outbound")
    (location,) = [e for e in outbound.iter("set-header") if e.get("name") == "Location"]
    expression = location.find("value").text
    assert "context.Request.OriginalUrl" in expression and "code=" in expression


def test_limits_are_per_caller() -> None:
    inbound = ElementTree.fromstring(policy_text("api-policy.xml")).find("inbound")
    for tag in ("rate-limit-by-key", "quota-by-key"):
        (limit,) = inbound.iter(tag)
        assert 'context.Variables["caller"]' in limit.get("counter-key")
