"""Every kind of bad request gets a clear 4xx problem+json, never a 500 or a hang."""

from __future__ import annotations

import json

import pytest
from api_testkit import BELL, SEED_WEIGHTS, Api
from devhost_testkit import REPO_ROOT, HttpResult


def assert_problem(answer: HttpResult, status: int, *words: str) -> dict:
    assert answer.status == status, answer.text
    assert answer.header("Content-Type").startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:qjobs:problem:")
    assert problem["title"] and problem["detail"]
    for word in words:
        assert word.lower() in problem["detail"].lower(), problem
    assert "Traceback" not in answer.text
    return problem


def test_malformed_json_is_400(alice: Api) -> None:
    answer = alice.request(
        "POST",
        "/api/jobs",
        body='{"kind": "number_partitioning", "weights": [1,2',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(answer, 400, "not valid JSON")


def test_wrong_content_type_is_415(alice: Api) -> None:
    answer = alice.request(
        "POST", "/api/jobs", body="weights=1,2,3", headers={"Content-Type": "text/plain"}
    )
    assert_problem(answer, 415, "application/json")


def test_body_that_is_not_an_object_is_400(alice: Api) -> None:
    assert_problem(alice.submit([1, 2, 3]), 400, "object")


def test_missing_kind_is_400_naming_the_kinds(alice: Api) -> None:
    problem = assert_problem(alice.submit({"weights": SEED_WEIGHTS}), 400, "number_partitioning")
    assert problem["errors"][0]["pointer"] == "/kind"


def test_unknown_kind_is_400(alice: Api) -> None:
    assert_problem(alice.submit({"kind": "factoring", "n": 15}), 400, "factoring")


def test_unknown_field_is_400_naming_it(alice: Api) -> None:
    problem = assert_problem(
        alice.submit({"kind": "number_partitioning", "weigths": SEED_WEIGHTS}), 400, "weigths"
    )
    assert problem["errors"][0]["pointer"] == "/weigths"


@pytest.mark.parametrize(
    ("weights", "pointer"),
    [
        ([5, 11, 1.5], "/weights/2"),
        ([5, "11"], "/weights/1"),
        ([5, True], "/weights/1"),
        ([5, -1], "/weights/1"),
        ([5, None], "/weights/1"),
        ("5,11", "/weights"),
        ([], "/weights"),
    ],
)
def test_bad_weights_are_400_pointing_at_the_bad_value(
    alice: Api, weights: object, pointer: str
) -> None:
    problem = assert_problem(alice.submit({"kind": "number_partitioning", "weights": weights}), 400)
    assert problem["errors"][0]["pointer"] == pointer


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_400(alice: Api, constant: str) -> None:
    body = '{"kind": "ising", "terms": [{"c": C, "ids": [0, 1]}]}'.replace("C,", f"{constant},")
    answer = alice.request(
        "POST", "/api/jobs", body=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(answer, 400, constant)


def test_wrong_type_for_a_term_is_400(alice: Api) -> None:
    problem = assert_problem(
        alice.submit({"kind": "ising", "terms": [{"c": 1, "ids": "0,1"}]}), 400
    )
    assert problem["errors"][0]["pointer"].startswith("/terms/0")


@pytest.mark.parametrize(
    ("kind", "fields", "schema"),
    [
        ("number_partitioning", {"weights": SEED_WEIGHTS}, "NumberPartitioningRequest"),
        ("ising", {"terms": [{"c": 1, "ids": [0, 1]}]}, "IsingRequest"),
        ("circuit", {"source": BELL}, "CircuitRequest"),
        (
            "qsharp",
            {"source": "operation M() : Result { use q = Qubit(); MResetZ(q) }", "entry": "M()"},
            "QsharpRequest",
        ),
    ],
)
def test_unknown_field_lists_the_documented_fields_only(
    alice: Api, kind: str, fields: dict, schema: str
) -> None:
    spec = json.loads((REPO_ROOT / "shared" / "openapi.json").read_text())
    documented = sorted(spec["components"]["schemas"][schema]["properties"])

    problem = assert_problem(alice.submit({"kind": kind, **fields, "colour": "red"}), 400)

    assert problem["detail"].endswith("the fields are: " + ", ".join(documented)), problem


def test_unknown_target_is_400_listing_every_offered_target(alice: Api) -> None:
    answer = alice.submit(
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "target": "foo.bar"}
    )
    problem = assert_problem(answer, 400, "unknown target 'foo.bar'; this deployment offers:")
    assert problem["errors"][0]["pointer"] == "/target"
    assert "local.optimizer" in problem["detail"]
    assert "local.simulator" in problem["detail"]
    assert "does not run" not in problem["detail"]


def test_known_target_of_another_kind_is_400_naming_the_kinds_targets(alice: Api) -> None:
    answer = alice.submit(
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS, "target": "local.simulator"}
    )
    problem = assert_problem(answer, 400, "does not run number_partitioning jobs")
    assert problem["detail"].endswith("use one of: local.optimizer.")
    assert problem["errors"][0]["pointer"] == "/target"


def test_remote_target_without_a_workspace_says_how_to_try_it_locally(alice: Api) -> None:
    answer = alice.submit({"kind": "circuit", "source": BELL, "target": "ionq.simulator"})
    problem = assert_problem(
        answer, 400, "QJOBS_WORKSPACE_CONNECTION_STRING", "QJOBS_QUANTUM_STANDIN=1 scripts/start"
    )
    assert problem["errors"][0]["pointer"] == "/target"


def test_circuit_on_the_optimizer_is_400(alice: Api) -> None:
    answer = alice.submit(
        {"kind": "circuit", "source": "OPENQASM 3.0;", "target": "local.optimizer"}
    )
    assert_problem(answer, 400, "local.simulator")


def test_invalid_qasm_is_400(alice: Api) -> None:
    answer = alice.submit({"kind": "circuit", "source": "OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];"})
    assert_problem(answer, 400)


@pytest.mark.parametrize(
    "source",
    [
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n',
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n',
    ],
)
def test_circuit_that_measures_nothing_is_400_at_source(alice: Api, source: str) -> None:
    problem = assert_problem(
        alice.submit({"kind": "circuit", "source": source}),
        400,
        "the program measures nothing, so it has no counts",
    )
    assert problem["errors"][0]["pointer"] == "/source"


def test_circuit_whose_shots_output_a_classical_variable_runs(alice: Api) -> None:
    source = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit q;\noutput int n;\nn = 3;\nh q;\n'
    job_id = alice.submit_ok({"kind": "circuit", "source": source, "shots": 10})
    assert alice.wait_for(job_id)["status"] == "succeeded"
    assert alice.result(job_id).json()["result"]["counts"] == {"3": 10}


def test_body_over_the_size_limit_is_413(alice: Api) -> None:
    huge = '{"kind": "number_partitioning", "weights": [' + "1," * 5_000_000 + "1]}"
    answer = alice.request(
        "POST", "/api/jobs", body=huge, headers={"Content-Type": "application/json"}
    )
    assert_problem(answer, 413, "limit")


def test_job_over_the_kinds_size_limit_is_413(alice: Api) -> None:
    answer = alice.submit({"kind": "number_partitioning", "weights": [1] * 10_001})
    assert_problem(answer, 413)


def test_bad_name_is_400(alice: Api) -> None:
    answer = alice.submit({"kind": "number_partitioning", "weights": SEED_WEIGHTS, "name": 7})
    problem = assert_problem(answer, 400)
    assert problem["errors"][0]["pointer"] == "/name"


def test_malformed_job_id_is_400(alice: Api) -> None:
    assert_problem(alice.status("not-a-job"), 400, "not a job id")


def test_unknown_job_id_is_404_everywhere(alice: Api) -> None:
    unknown = "0" * 32
    assert_problem(alice.status(unknown), 404, unknown)
    assert_problem(alice.result(unknown), 404)
    assert_problem(alice.cancel(unknown), 404)


def test_bad_idempotency_key_is_400(alice: Api) -> None:
    answer = alice.submit(
        {"kind": "number_partitioning", "weights": SEED_WEIGHTS}, **{"Idempotency-Key": "a b"}
    )
    assert_problem(answer, 400, "Idempotency-Key")


@pytest.mark.parametrize(
    "query",
    ["status=done", "limit=0", "limit=1000", "limit=x", "continuation=garbage!", "colour=red"],
)
def test_bad_list_parameters_are_400(alice: Api, query: str) -> None:
    assert_problem(alice.request("GET", f"/api/jobs?{query}"), 400)


def test_every_bad_field_is_listed_with_its_pointer(alice: Api) -> None:
    job = {
        "kind": "circuit",
        "name": 7,
        "tags": "x",
        "source": 3,
        "shots": 0,
        "seed": -1,
        "colour": "red",
    }

    problem = assert_problem(alice.submit(job), 400, "(and 5 more: see errors)")

    pointers = {error["pointer"] for error in problem["errors"]}
    assert pointers == {"/name", "/tags", "/source", "/shots", "/seed", "/colour"}
    assert all(error["detail"] for error in problem["errors"])


def test_every_bad_weight_is_listed_up_to_twenty(alice: Api) -> None:
    weights = [-1] * 50

    problem = assert_problem(alice.submit({"kind": "number_partitioning", "weights": weights}), 400)

    assert [e["pointer"] for e in problem["errors"]] == [f"/weights/{i}" for i in range(20)]


def test_bad_terms_and_fields_of_an_ising_job_are_all_listed(alice: Api) -> None:
    job = {"kind": "ising", "terms": [{"c": "x", "ids": [0, -1]}, {"c": 1, "ids": [1]}], "reads": 0}

    problem = assert_problem(alice.submit(job), 400)

    pointers = {error["pointer"] for error in problem["errors"]}
    assert pointers == {"/terms/0/c", "/terms/0/ids/1", "/reads"}


def test_a_size_limit_among_other_problems_keeps_413(alice: Api) -> None:
    job = {"kind": "number_partitioning", "weights": [1] * 10_001, "time_limit": -1}

    problem = assert_problem(alice.submit(job), 413, "10,001 items")

    assert {e["pointer"] for e in problem["errors"]} == {"/weights", "/time_limit"}


def test_a_program_with_bad_fields_is_not_compiled_and_its_fields_are_listed(alice: Api) -> None:
    job = {"kind": "circuit", "source": "not a program", "shots": "many", "seed": 1.5}

    problem = assert_problem(alice.submit(job), 400)

    assert {e["pointer"] for e in problem["errors"]} == {"/shots", "/seed"}


def test_bad_items_of_a_batch_are_all_listed(alice: Api) -> None:
    job = {"kind": "circuit", "items": [{"source": BELL, "shots": 0}, {"source": 5}]}

    problem = assert_problem(alice.submit(job), 400)

    assert {e["pointer"] for e in problem["errors"]} == {"/items/0/shots", "/items/1/source"}
