"""shared/openapi.json against the function folders and the answers the API really gives."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from api_testkit import BELL, KEYS, SEED_WEIGHTS, Api, api_env, hard_partition, start_api_host
from devhost_testkit import REPO_ROOT, HttpResult
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from devhost.azurite import Azurite

DOCUMENT_PATH = REPO_ROOT / "shared" / "openapi.json"
DOCUMENT: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
DOCUMENT_URI = "urn:qjobs:openapi"
REGISTRY: Registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(DOCUMENT))
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

SEED_JOB = {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "name": "openapi-seed"}
QUICK_JOBS: dict[str, dict[str, Any]] = {
    "number_partitioning": SEED_JOB,
    "ising": {"kind": "ising", "terms": [{"c": -1, "ids": [0, 1]}, {"c": -1, "ids": [1, 2]}]},
    "pubo": {"kind": "pubo", "terms": [{"c": 1, "ids": [0]}, {"c": -3, "ids": [0, 1]}], "seed": 3},
    "circuit": {"kind": "circuit", "source": BELL, "shots": 50, "seed": 5},
    "qsharp": {
        "kind": "qsharp",
        "source": "operation GetRandomBit() : Result { use q = Qubit(); H(q); return M(q); }",
        "entry": "GetRandomBit()",
        "shots": 50,
        "seed": 5,
    },
    "circuit batch": {"kind": "circuit", "source": BELL, "shots": 10, "items": [{}, {"seed": 1}]},
    "resource_estimate": {
        "kind": "resource_estimate",
        "source": "operation Main() : Result { use q = Qubit(); T(q); M(q) }",
    },
}
UNKNOWN_ID = "0" * 32

# "METHOD /path STATUS what": every exchange the `exchanges` fixture makes, by its label.
CASES = [
    *(f"POST /jobs 202 {kind}" for kind in QUICK_JOBS),
    "POST /jobs 202 long job",
    "POST /jobs 200 dry run",
    "POST /jobs 202 Idempotency-Key repeat",
    "POST /jobs 400 missing kind",
    "POST /jobs 400 malformed JSON",
    "POST /jobs 401 no key",
    "POST /jobs 413 over the kind's size limit",
    "POST /jobs 415 text/plain",
    "POST /jobs 422 Idempotency-Key reused",
    "POST /jobs 429 too many jobs in flight",
    "GET /jobs 200 first page",
    "GET /jobs 200 last page",
    "GET /jobs 200 tag, dates and ids",
    "GET /jobs 400 bad limit",
    "GET /jobs 401 wrong key",
    "GET /jobs/{id}/status 202 running",
    "GET /jobs/{id}/status 202 after a wait",
    "GET /jobs/{id}/status 200 with a webhook",
    "GET /jobs/{id}/status 200 succeeded",
    "GET /jobs/{id}/status 200 cancelled",
    "GET /jobs/{id}/status 400 malformed id",
    "GET /jobs/{id}/status 401 no key",
    "GET /jobs/{id}/status 404 unknown id",
    "GET /jobs/{id}/result 202 running",
    "GET /jobs/{id}/result 200 waited for",
    *(f"GET /jobs/{{id}}/result 200 {kind}" for kind in QUICK_JOBS),
    "GET /jobs/{id}/result 400 malformed id",
    "GET /jobs/{id}/result 401 no key",
    "GET /jobs/{id}/result 404 another caller's job",
    "GET /jobs/{id}/result 409 cancelled",
    "DELETE /jobs/{id} 202 running",
    "DELETE /jobs/{id} 400 malformed id",
    "DELETE /jobs/{id} 401 no key",
    "DELETE /jobs/{id} 404 unknown id",
    "DELETE /jobs/{id} 409 cancelled",
    "GET /splitweights 200 query",
    "GET /splitweights 202 slower than the wait",
    "GET /splitweights 400 no weights",
    "GET /splitweights 401 no key",
    "GET /splitweights 409 cancelled during the wait",
    "GET /splitweights 413 too many weights in a body",
    "GET /splitweights 415 text/plain body",
    "GET /splitweights 429 too many jobs in flight",
    "POST /splitweights 200 body",
    "POST /splitweights 202 slower than the wait",
    "POST /splitweights 400 fractional weight",
    "POST /splitweights 401 no key",
    "POST /splitweights 409 cancelled during the wait",
    "POST /splitweights 413 too many weights",
    "POST /splitweights 415 text/plain",
    "POST /splitweights 429 too many jobs in flight",
    "GET /jobs/{id}/input 200 succeeded",
    "GET /jobs/{id}/input 400 malformed id",
    "GET /jobs/{id}/input 401 no key",
    "GET /jobs/{id}/input 404 another caller's job",
    "GET /openapi.json 200 no key",
    "GET / 200 the home page, no key",
    "GET /dashboard/{asset} 200 the page, no key",
    "GET /dashboard/{asset} 200 its script",
    "GET /dashboard/{asset} 404 another file",
    "GET /docs/{asset} 200 the page, no key",
    "GET /docs/{asset} 404 another file",
    "GET /targets 200 the targets",
    "GET /targets 401 no key",
    "GET /webhooks/secret 200 the secret",
    "GET /webhooks/secret 401 no key",
    "GET /webhooks/secret 404 webhooks off",
    "POST /webhooks/secret/rotate 200 a new secret",
    "POST /webhooks/secret/rotate 401 no key",
    "POST /webhooks/secret/rotate 404 webhooks off",
]
# Documented answers no exchange here produces: a failure inside qjobs (500) and storage, Key
# Vault or the durable host unreachable (503: test_storage_outage.py, test_keyvault.py and
# test_durable_outage.py go there).
NOT_EXERCISED = frozenset({500, 503})
# Optional documented headers that these exchanges must carry.
EXPECTED_HEADERS = {
    "POST /jobs 202 Idempotency-Key repeat": ["Idempotent-Replayed"],
    "GET /jobs/{id}/status 202 after a wait": ["Preference-Applied"],
    "GET /jobs/{id}/result 200 waited for": ["Preference-Applied"],
}


def parse_label(label: str) -> tuple[str, str, int]:
    method, path, status, _ = label.split(" ", 3)
    return method.lower(), path, int(status)


# --------------------------------------------------------------------------- the document


def escape(token: str) -> str:
    """A JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def at_pointer(pointer: str) -> Any:
    """The node of DOCUMENT at a local reference such as `#/components/schemas/JobStatus`."""
    assert pointer.startswith("#"), pointer
    node: Any = DOCUMENT
    for token in filter(None, pointer[1:].split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def followed(pointer: str) -> tuple[str, Any]:
    """The pointer and node a (possibly `$ref`) node finally stands for."""
    node = at_pointer(pointer)
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        node = at_pointer(pointer)
    return pointer, node


def references(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(where, target) for every `$ref` in a node."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield where, node["$ref"]
        for key, value in node.items():
            yield from references(value, f"{where}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from references(value, f"{where}/{index}")


def schema_errors(schema_pointer: str, instance: Any) -> str | None:
    """Why `instance` does not match the schema at `schema_pointer`, or None if it does."""
    validator = Draft202012Validator({"$ref": DOCUMENT_URI + schema_pointer}, registry=REGISTRY)
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    return f"{error.message} (at {error.json_path}; schema {'/'.join(map(str, error.schema_path))})"


def header_value(schema: dict[str, Any], raw: str) -> Any:
    """A header's text as the JSON value its schema describes."""
    if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", raw.strip()):
        return int(raw)
    return raw


def mismatches(label: str, answer: HttpResult, expect_headers: Sequence[str] = ()) -> list[str]:
    """How an answer to the route in `label` departs from the document (empty: it does not)."""
    method, path, _ = parse_label(label)
    route = f"{method.upper()} {path} -> {answer.status}"
    operation = DOCUMENT["paths"].get(path, {}).get(method)
    if operation is None:
        return [f"{route}: {method.upper()} {path} is not in the document"]
    if str(answer.status) not in operation["responses"]:
        return [f"{route}: status not documented; body: {answer.text[:300]}"]
    response_pointer, response = followed(
        f"#/paths/{escape(path)}/{method}/responses/{answer.status}"
    )
    found: list[str] = []
    headers = response.get("headers", {})
    for name in expect_headers:
        if name not in headers:
            found.append(f"{route}: header {name} is not documented for this response")
    for name in headers:
        header_pointer, header = followed(f"{response_pointer}/headers/{escape(name)}")
        raw = answer.header(name)
        if raw is None:
            if header.get("required") or name in expect_headers:
                found.append(f"{route}: documented header {name} is missing")
            continue
        problem = schema_errors(f"{header_pointer}/schema", header_value(header["schema"], raw))
        if problem:
            found.append(f"{route}: header {name}: {raw!r}: {problem}")
    media_type = (answer.header("Content-Type") or "").split(";")[0].strip().lower()
    content = response.get("content", {})
    if media_type not in content:
        found.append(f"{route}: content type {media_type!r} is not one of {sorted(content)}")
        return found
    if not (media_type.endswith("/json") or media_type.endswith("+json")):
        body: Any = answer.text  # a page or a script: checked as a string
    else:
        try:
            body = answer.json()
        except ValueError as error:
            return [*found, f"{route}: body is not JSON ({error}): {answer.text[:300]}"]
    problem = schema_errors(f"{response_pointer}/content/{escape(media_type)}/schema", body)
    if problem:
        found.append(f"{route} ({media_type}): {problem}; body: {json.dumps(body)[:500]}")
    return found


def documented_routes() -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def declared_routes() -> set[tuple[str, str]]:
    """(method, path) of every HTTP trigger in the app's function folders, as OpenAPI paths."""
    routes = set()
    for function_json in REPO_ROOT.glob("*/function.json"):
        for binding in json.loads(function_json.read_text(encoding="utf-8"))["bindings"]:
            if binding.get("type") == "httpTrigger":
                # {name:constraint} and {name?} are route-template syntax; OpenAPI has {name}.
                # A parameter that must be empty ({name:maxlength(0)?}) is no path at all.
                route = re.sub(r"\{\w+:maxlength\(0\)\?\}", "", binding["route"])
                path = re.sub(r"\{\*?(\w+)(?::\w+)?\??\}", r"{\1}", route.strip("/"))
                routes.update((method.lower(), "/" + path) for method in binding["methods"])
    return routes


# --------------------------------------------------------------------------- the exchanges


def cancelled_during_the_wait(api: Api, method: str) -> HttpResult:
    """A SplitWeights call whose job this client cancels while the call waits for it."""
    running = "/api/jobs?status=waiting,executing&limit=100"
    before = {job["id"] for job in api.request("GET", running).json()["jobs"]}
    weights = hard_partition(seed=11)
    with ThreadPoolExecutor(1) as pool:
        if method == "GET":
            query = "?mineralWeights=" + ",".join(map(str, weights))
            call = pool.submit(api.request, "GET", f"/api/splitweights{query}")
        else:
            body = {"mineralWeights": weights}
            call = pool.submit(api.request, "POST", "/api/splitweights", json_body=body)
        # Until the job shows up; the call itself ends the loop if it never does.
        while not call.done():
            jobs = [job["id"] for job in api.request("GET", running).json()["jobs"]]
            started = [job_id for job_id in jobs if job_id not in before]
            if started:
                api.cancel(started[0])
                break
            time.sleep(0.02)
        return call.result()


@pytest.fixture(scope="module")
def limited(azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """carol on a host that lets a client have one job in flight, and sends no webhooks."""
    env = api_env(azurite.connection_string, QJOBS_MAX_JOBS_IN_FLIGHT="1", QJOBS_WEBHOOK_KEY="")
    host = start_api_host(tmp_path_factory.mktemp("limited"), env)
    yield Api(host, KEYS["carol"])
    host.stop()


def over_the_limit(api: Api) -> dict[str, HttpResult]:
    """The 429s of a client with its one job in flight."""
    long_job = {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 10}
    running = api.submit_ok(long_job)
    seed_query = "/api/splitweights?mineralWeights=" + ",".join(map(str, SEED_WEIGHTS))
    answers = {
        "POST /jobs 429 too many jobs in flight": api.submit(SEED_JOB),
        "GET /splitweights 429 too many jobs in flight": api.request("GET", seed_query),
        "POST /splitweights 429 too many jobs in flight": api.request(
            "POST", "/api/splitweights", json_body={"mineralWeights": SEED_WEIGHTS}
        ),
    }
    api.cancel(running)
    return answers


@pytest.fixture(scope="module")
def exchanges(
    alice: Api, bob: Api, anonymous: Api, impatient: Api, limited: Api
) -> dict[str, HttpResult]:
    """One real answer for every label in CASES (jobs still running are cancelled)."""
    seen: dict[str, HttpResult] = {}
    json_type = {"Content-Type": "application/json"}
    text_type = {"Content-Type": "text/plain"}
    key = {"Idempotency-Key": f"openapi-{uuid.uuid4()}"}
    too_many = json.dumps({"mineralWeights": [1] * 10_001})

    long_job = {"kind": "number_partitioning", "weights": hard_partition(), "time_limit": 30}
    seen["POST /jobs 202 long job"] = alice.submit(long_job)
    long_id = seen["POST /jobs 202 long job"].json()["id"]
    seen["GET /jobs/{id}/status 202 running"] = alice.status(long_id)
    seen["GET /jobs/{id}/status 202 after a wait"] = alice.request(
        "GET", f"/api/jobs/{long_id}/status?wait=1"
    )
    seen["GET /jobs/{id}/result 202 running"] = alice.result(long_id)
    seen["DELETE /jobs/{id} 202 running"] = alice.cancel(long_id)

    ids = {}
    for kind, job in QUICK_JOBS.items():
        answer = alice.submit(job, **key) if kind == "number_partitioning" else alice.submit(job)
        seen[f"POST /jobs 202 {kind}"] = answer
        ids[kind] = answer.json()["id"]
    seen["POST /jobs 202 Idempotency-Key repeat"] = alice.submit(SEED_JOB, **key)
    tagged = {**SEED_JOB, "tags": ["openapi"], "webhook": "https://receiver.invalid/hook"}
    tagged_id = alice.submit_ok(tagged)
    seen["GET /jobs/{id}/result 200 waited for"] = alice.request(
        "GET", f"/api/jobs/{tagged_id}/result", headers={"Prefer": "wait=30"}
    )
    seen["GET /jobs/{id}/status 200 with a webhook"] = alice.status(tagged_id)
    seen["GET /jobs 200 tag, dates and ids"] = alice.request(
        "GET",
        f"/api/jobs?tag=openapi&created_after=2025-01-01T00:00:00Z&ids={tagged_id},{UNKNOWN_ID}",
    )
    seen["POST /jobs 422 Idempotency-Key reused"] = alice.submit(QUICK_JOBS["ising"], **key)
    seen.update(over_the_limit(limited))
    seen["POST /jobs 200 dry run"] = alice.request(
        "POST", "/api/jobs?dry_run=true", json_body=QUICK_JOBS["circuit batch"]
    )
    seen["POST /jobs 400 missing kind"] = alice.submit({"weights": SEED_WEIGHTS})
    seen["POST /jobs 400 malformed JSON"] = alice.request(
        "POST", "/api/jobs", body='{"kind": ', headers=json_type
    )
    seen["POST /jobs 401 no key"] = anonymous.submit(SEED_JOB)
    seen["POST /jobs 413 over the kind's size limit"] = alice.submit(
        {"kind": "number_partitioning", "weights": [1] * 10_001}
    )
    seen["POST /jobs 415 text/plain"] = alice.request(
        "POST", "/api/jobs", body="5,11,8", headers=text_type
    )

    seed_query = "/api/splitweights?mineralWeights=" + ",".join(map(str, SEED_WEIGHTS))
    seen["GET /splitweights 200 query"] = alice.request("GET", seed_query)
    seen["POST /splitweights 200 body"] = alice.request(
        "POST", "/api/splitweights", json_body={"mineralWeights": SEED_WEIGHTS}
    )
    slow = ",".join(map(str, hard_partition()))
    seen["GET /splitweights 202 slower than the wait"] = impatient.request(
        "GET", f"/api/splitweights?mineralWeights={slow}"
    )
    seen["POST /splitweights 202 slower than the wait"] = impatient.request(
        "POST", "/api/splitweights", json_body={"mineralWeights": hard_partition()}
    )
    for method in ("GET", "POST"):
        label = f"{method} /splitweights 409 cancelled during the wait"
        seen[label] = cancelled_during_the_wait(bob, method)
    seen["GET /splitweights 400 no weights"] = alice.request("GET", "/api/splitweights")
    seen["GET /splitweights 401 no key"] = anonymous.request("GET", seed_query)
    seen["GET /splitweights 413 too many weights in a body"] = alice.request(
        "GET", "/api/splitweights", body=too_many, headers=json_type
    )
    seen["GET /splitweights 415 text/plain body"] = alice.request(
        "GET", seed_query, body="5,11", headers=text_type
    )
    seen["POST /splitweights 400 fractional weight"] = alice.request(
        "POST", "/api/splitweights", json_body={"mineralWeights": [5, 1.5]}
    )
    seen["POST /splitweights 401 no key"] = anonymous.request(
        "POST", "/api/splitweights", json_body={"mineralWeights": SEED_WEIGHTS}
    )
    seen["POST /splitweights 413 too many weights"] = alice.request(
        "POST", "/api/splitweights", body=too_many, headers=json_type
    )
    seen["POST /splitweights 415 text/plain"] = alice.request(
        "POST", "/api/splitweights", body="mineralWeights=5,11", headers=text_type
    )

    for kind, job_id in ids.items():
        alice.wait_for(job_id)
        seen[f"GET /jobs/{{id}}/result 200 {kind}"] = alice.result(job_id)
    seen["GET /jobs/{id}/status 200 succeeded"] = alice.status(ids["number_partitioning"])
    seen["GET /jobs/{id}/result 404 another caller's job"] = bob.result(ids["ising"])
    input_path = "/api/jobs/{}/input"
    seen["GET /jobs/{id}/input 200 succeeded"] = alice.request(
        "GET", input_path.format(ids["pubo"])
    )
    seen["GET /jobs/{id}/input 404 another caller's job"] = bob.request(
        "GET", input_path.format(ids["pubo"])
    )
    alice.wait_for(long_id, timeout=60)
    seen["GET /jobs/{id}/status 200 cancelled"] = alice.status(long_id)
    seen["GET /jobs/{id}/result 409 cancelled"] = alice.result(long_id)
    seen["DELETE /jobs/{id} 409 cancelled"] = alice.cancel(long_id)

    for label, method, path in [
        ("GET /jobs/{id}/status", "GET", "/api/jobs/{}/status"),
        ("GET /jobs/{id}/result", "GET", "/api/jobs/{}/result"),
        ("GET /jobs/{id}/input", "GET", "/api/jobs/{}/input"),
        ("DELETE /jobs/{id}", "DELETE", "/api/jobs/{}"),
    ]:
        seen[f"{label} 400 malformed id"] = alice.request(method, path.format("not-a-job"))
        seen[f"{label} 401 no key"] = anonymous.request(method, path.format(long_id))
    seen["GET /jobs/{id}/status 404 unknown id"] = alice.status(UNKNOWN_ID)
    seen["DELETE /jobs/{id} 404 unknown id"] = alice.cancel(UNKNOWN_ID)

    seen["GET /jobs 200 first page"] = alice.request("GET", "/api/jobs?limit=2")
    seen["GET /jobs 200 last page"] = alice.request(
        "GET", "/api/jobs?name=openapi-seed&status=succeeded,failed&limit=100"
    )
    seen["GET /jobs 400 bad limit"] = alice.request("GET", "/api/jobs?limit=0")
    seen["GET /jobs 401 wrong key"] = Api(alice.host, "not-a-key").request("GET", "/api/jobs")
    seen["GET /openapi.json 200 no key"] = anonymous.request("GET", "/api/openapi.json")
    seen["GET / 200 the home page, no key"] = anonymous.request("GET", "/api/")
    seen["GET /dashboard/{asset} 200 the page, no key"] = anonymous.request("GET", "/api/dashboard")
    seen["GET /dashboard/{asset} 200 its script"] = anonymous.request(
        "GET", "/api/dashboard/dashboard.js"
    )
    seen["GET /dashboard/{asset} 404 another file"] = anonymous.request(
        "GET", "/api/dashboard/openapi.py"
    )
    seen["GET /docs/{asset} 200 the page, no key"] = anonymous.request("GET", "/api/docs")
    seen["GET /docs/{asset} 404 another file"] = anonymous.request(
        "GET", "/api/docs/swagger-initializer.js"
    )
    seen["GET /targets 200 the targets"] = alice.request("GET", "/api/targets")
    seen["GET /targets 401 no key"] = anonymous.request("GET", "/api/targets")
    for method, path, label in (
        ("GET", "/api/webhooks/secret", "GET /webhooks/secret"),
        ("POST", "/api/webhooks/secret/rotate", "POST /webhooks/secret/rotate"),
    ):
        answer = "200 the secret" if method == "GET" else "200 a new secret"
        seen[f"{label} {answer}"] = alice.request(method, path)
        seen[f"{label} 401 no key"] = anonymous.request(method, path)
        seen[f"{label} 404 webhooks off"] = limited.request(method, path)

    for method in ("GET", "POST"):
        slow_answer = seen[f"{method} /splitweights 202 slower than the wait"]
        if slow_answer.status == 202:
            impatient.cancel(slow_answer.json()["id"])
    return seen


# --------------------------------------------------------------------------- the tests


def test_served_document_is_the_file(anonymous: Api) -> None:
    answer = anonymous.request("GET", "/api/openapi.json")
    assert answer.status == 200
    assert answer.header("Content-Type").startswith("application/json")
    assert answer.json() == DOCUMENT


def test_file_is_pretty_printed_with_two_spaces() -> None:
    text = DOCUMENT_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(DOCUMENT, indent=2, ensure_ascii=False) + "\n"


def test_document_is_openapi_3_1_served_under_api() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    assert DOCUMENT["info"]["title"] == "qjobs"
    assert DOCUMENT["servers"] == [{"url": "/api"}]


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["schemas"]))
def test_component_schema_is_valid_json_schema_2020_12(name: str) -> None:
    Draft202012Validator.check_schema(DOCUMENT["components"]["schemas"][name])


def test_every_ref_resolves() -> None:
    broken = []
    for where, target in references(DOCUMENT):
        try:
            at_pointer(target)
        except (AssertionError, KeyError, IndexError, ValueError):
            broken.append(f"{where} -> {target}")
    assert not broken, broken


def examples() -> Iterator[tuple[str, Any]]:
    """(schema pointer, example) for every schema example and media type example."""
    for name, schema in DOCUMENT["components"]["schemas"].items():
        for example in schema.get("examples", []):
            yield f"#/components/schemas/{name}", example
    for where, node in media_types(DOCUMENT, "#"):
        for example in node.get("examples", {}).values():
            yield f"{where}/schema", example["value"]


def media_types(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, media type object) for every `content` entry in a node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "content" and isinstance(value, dict):
                for media_type, media in value.items():
                    yield f"{where}/content/{escape(media_type)}", media
            else:
                yield from media_types(value, f"{where}/{escape(key)}")


@pytest.mark.parametrize(("pointer", "example"), list(examples()))
def test_example_matches_its_schema(pointer: str, example: Any) -> None:
    assert schema_errors(pointer, example) is None


def test_document_has_the_seed_example() -> None:
    assert any(
        isinstance(example, dict) and example.get("weights") == SEED_WEIGHTS
        for _, example in examples()
    )


def test_every_path_template_parameter_is_declared() -> None:
    undeclared = []
    for path, item in DOCUMENT["paths"].items():
        for method in HTTP_METHODS & set(item):
            declared = [
                followed(parameter["$ref"])[1] if "$ref" in parameter else parameter
                for parameter in item.get("parameters", []) + item[method].get("parameters", [])
            ]
            in_path = {p["name"] for p in declared if p["in"] == "path" and p["required"]}
            undeclared += [
                f"{method} {path}: {{{name}}}"
                for name in re.findall(r"\{(\w+)\}", path)
                if name not in in_path
            ]
    assert undeclared == []


def test_every_operation_has_an_id_and_responses() -> None:
    operations = [DOCUMENT["paths"][path][method] for method, path in documented_routes()]
    ids = [operation["operationId"] for operation in operations]
    assert len(set(ids)) == len(ids)
    assert all(operation["responses"] for operation in operations)


def test_only_the_home_page_the_document_its_reference_and_the_dashboard_are_public() -> None:
    assert DOCUMENT["security"] == [{"bearer": []}, {"apiKey": []}]
    public = {
        (method, path)
        for method, path in documented_routes()
        if DOCUMENT["paths"][path][method].get("security") == []
    }
    assert public == {
        ("get", "/"),
        ("get", "/openapi.json"),
        ("get", "/docs/{asset}"),
        ("get", "/dashboard/{asset}"),
    }


def test_every_declared_route_is_documented() -> None:
    assert declared_routes() - documented_routes() == set()


def test_every_documented_route_is_declared() -> None:
    assert documented_routes() - declared_routes() == set()


def test_routes_are_read_from_the_function_folders() -> None:
    assert {("delete", "/jobs/{id}"), ("get", "/openapi.json")} <= declared_routes()


@pytest.mark.parametrize("label", CASES)
def test_answer_matches_the_documented_response(
    exchanges: dict[str, HttpResult], label: str
) -> None:
    answer = exchanges[label]
    _, _, status = parse_label(label)
    assert answer.status == status, f"{label}: got {answer.status}: {answer.text[:500]}"
    found = mismatches(label, answer, EXPECTED_HEADERS.get(label, []))
    assert not found, "\n".join(found)


def test_cases_cover_every_documented_answer_but_500_and_503() -> None:
    documented = {
        (method, path, int(status))
        for method, path in documented_routes()
        for status in DOCUMENT["paths"][path][method]["responses"]
        if int(status) not in NOT_EXERCISED
    }
    assert documented == {parse_label(label) for label in CASES}


# --------------------------------------------------------------------------- the check is honest


def altered(answer: HttpResult, body: Any = None, drop_header: str | None = None) -> HttpResult:
    headers = {k: v for k, v in answer.headers.items() if k.lower() != (drop_header or "").lower()}
    data = answer.body if body is None else json.dumps(body).encode()
    return HttpResult(answer.status, headers, data)


def test_check_rejects_a_status_body_with_an_extra_field(exchanges: dict[str, HttpResult]) -> None:
    label = "GET /jobs/{id}/status 200 succeeded"
    body = {**exchanges[label].json(), "progress": 100}
    found = mismatches(label, altered(exchanges[label], body))
    assert len(found) == 1 and "progress" in found[0], found


def test_check_rejects_an_unknown_status_value(exchanges: dict[str, HttpResult]) -> None:
    label = "GET /jobs/{id}/status 200 succeeded"
    body = {**exchanges[label].json(), "status": "done"}
    found = mismatches(label, altered(exchanges[label], body))
    assert len(found) == 1 and "'done'" in found[0], found


def test_check_rejects_a_running_status_on_a_final_answer(exchanges: dict[str, HttpResult]) -> None:
    label = "GET /jobs/{id}/status 202 running"
    body = {**exchanges[label].json(), "status": "succeeded"}
    assert mismatches(label, altered(exchanges[label], body))


def test_check_rejects_a_result_of_the_wrong_shape(exchanges: dict[str, HttpResult]) -> None:
    label = "GET /jobs/{id}/result 200 circuit"
    body = exchanges[label].json()
    body["result"] = {**body["result"], "shots": "50"}
    assert mismatches(label, altered(exchanges[label], body))


def test_check_rejects_a_missing_retry_after(exchanges: dict[str, HttpResult]) -> None:
    label = "POST /jobs 202 long job"
    found = mismatches(label, altered(exchanges[label], drop_header="Retry-After"))
    assert found == ["POST /jobs -> 202: documented header Retry-After is missing"]


def test_check_rejects_an_undocumented_status(exchanges: dict[str, HttpResult]) -> None:
    answer = exchanges["GET /jobs 200 first page"]
    found = mismatches("GET /jobs 418 teapot", HttpResult(418, answer.headers, answer.body))
    assert found and "not documented" in found[0]


def test_check_rejects_a_problem_without_its_errors(exchanges: dict[str, HttpResult]) -> None:
    label = "POST /jobs 400 missing kind"
    body = {k: v for k, v in exchanges[label].json().items() if k != "errors"}
    assert mismatches(label, altered(exchanges[label], body))


# --------------------------------------------------------------------------- request bodies

REQUEST_SCHEMA = "#/paths/~1jobs/post/requestBody/content/application~1json/schema"


@pytest.mark.parametrize("kind", sorted(QUICK_JOBS))
def test_accepted_job_requests_match_the_request_schema(
    exchanges: dict[str, HttpResult], kind: str
) -> None:
    assert exchanges[f"POST /jobs 202 {kind}"].status == 202
    assert schema_errors(REQUEST_SCHEMA, QUICK_JOBS[kind]) is None


@pytest.mark.parametrize(
    "body",
    [
        {"weights": SEED_WEIGHTS},
        {"kind": "number_partitioning", "weigths": SEED_WEIGHTS},
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "mineralWeights": [1]},
        {"kind": "number_partitioning", "weights": [5, -1]},
        {"kind": "number_partitioning", "weights": [5, True]},
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "time_limit": 0},
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "target": "ionq.qpu"},
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "name": ""},
        {"kind": "ising", "terms": [{"c": 1, "ids": "0,1"}]},
        {"kind": "pubo", "terms": []},
        {"kind": "circuit", "source": "   "},
        {"kind": "circuit", "source": BELL, "shots": 0},
        {"kind": "circuit", "source": BELL, "seed": None},
        {"kind": "circuit", "source": BELL, "target": "local.optimizer"},
        {"kind": "qsharp", "source": "  "},
        {**QUICK_JOBS["qsharp"], "entry": ""},
        {**QUICK_JOBS["qsharp"], "entry": "GetRandomBit(); while true {}"},
        {**QUICK_JOBS["qsharp"], "shots": 10_001},
    ],
)
def test_rejected_job_requests_do_not_match_the_request_schema(
    alice: Api, body: dict[str, Any]
) -> None:
    assert alice.submit(body).status in (400, 413)
    assert schema_errors(REQUEST_SCHEMA, body) is not None
