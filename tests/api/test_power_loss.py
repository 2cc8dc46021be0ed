"""The durable state is the source of truth: a job whose record (with its input) vanished from
Blob Storage still succeeds, its record written again from the orchestration's input. Azurite
keeps its last seconds of writes in memory, so a power loss (devhost and Azurite SIGKILLed
together) loses the records of the jobs just accepted, while their orchestrations survived."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_testkit import KEYS, Api, api_env, hard_partition, start_api_host
from azure.storage.blob import BlobServiceClient

from devhost.azurite import Azurite

CONTAINER = "qjobs-power-loss"


@pytest.fixture(scope="module")
def own_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    service = Azurite(location=tmp_path_factory.mktemp("power-loss-azurite"))
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def api(own_azurite: Azurite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    env = api_env(own_azurite.connection_string, QJOBS_BLOB_CONTAINER=CONTAINER)
    host = start_api_host(tmp_path_factory.mktemp("power-loss"), env)
    yield Api(host, KEYS["alice"])
    host.stop()


def slow_job(seed: int) -> dict:
    return {"kind": "number_partitioning", "weights": hard_partition(seed=seed), "time_limit": 2}


def delete_record(azurite: Azurite, job_id: str) -> None:
    """Delete the job's record blob behind its back."""
    container = BlobServiceClient.from_connection_string(
        azurite.connection_string
    ).get_container_client(CONTAINER)
    names = [
        blob.name
        for blob in container.list_blobs(name_starts_with="jobs/", include=["metadata"])
        if (blob.metadata or {}).get("jobid") == job_id
    ]
    assert len(names) == 1, names
    container.delete_blob(names[0])


def assert_finished_and_listed(api: Api, jobs: dict[str, dict]) -> None:
    """Each job ended as its solver says, its record and input back in storage.

    The jobs run to their time limit; on a machine starved of CPU a worker can overrun it
    and the job fails `timeout`: that is the solver's verdict, never a lost record's
    (`storage_unavailable`, `target_unavailable`)."""
    finals = {}
    for job_id, job in jobs.items():
        final = api.wait_for(job_id, timeout=90)
        finals[job_id] = final["status"]
        assert final["status"] == "succeeded" or final["error"]["code"] == "timeout", final
        if final["status"] == "succeeded":
            result = api.result(job_id).json()["result"]
            assert sorted(sum(result["subsets"], [])) == sorted(job["weights"])
        stored = api.request("GET", f"/api/jobs/{job_id}/input").json()
        assert stored["input"]["weights"] == job["weights"]
    page = api.request("GET", "/api/jobs?limit=100").json()["jobs"]
    listed = {job["id"]: job["status"] for job in page}
    assert {job_id: listed.get(job_id) for job_id in jobs} == finals


def test_a_job_whose_record_vanished_while_it_ran_finishes(api: Api, own_azurite: Azurite) -> None:
    job = slow_job(seed=101)
    job_id = api.submit_ok(job)
    api.wait_for(job_id, {"executing"})
    delete_record(own_azurite, job_id)
    assert_finished_and_listed(api, {job_id: job})


def test_a_job_whose_record_vanished_while_the_host_was_down_finishes(
    api: Api, own_azurite: Azurite
) -> None:
    """After the restart the local target has lost the job, and submitting it again needs
    its input: read from the orchestration, the record is gone."""
    job = slow_job(seed=102)
    job_id = api.submit_ok(job)
    api.wait_for(job_id, {"executing"})
    api.host.kill()
    delete_record(own_azurite, job_id)
    api.host.restart()
    assert_finished_and_listed(api, {job_id: job})


def test_every_job_accepted_right_before_a_power_loss_finishes(
    api: Api, own_azurite: Azurite
) -> None:
    jobs = {}
    for seed in range(12):
        job = slow_job(seed=200 + seed)
        jobs[api.submit_ok(job)] = job
    api.host.kill()
    assert own_azurite.proc is not None
    own_azurite.proc.kill()  # SIGKILL: what Azurite held in memory is lost
    own_azurite.stop()
    own_azurite.start()
    api.host.restart()
    assert_finished_and_listed(api, jobs)
