"""qjobs_client.ocean.QJobsSampler against a real qjobs (devhost + Azurite): dimod's own
sampler conformance tests, and the ground energies of dimod.ExactSolver on small models."""

from __future__ import annotations

import itertools
import random
import unittest
from collections.abc import Iterator

import dimod
import dimod.testing
import pytest
from api_testkit import KEYS
from devhost_testkit import DevHost
from qjobs_client import Client
from qjobs_client.ocean import QJobsSampler

# dimod builds its conformance tests when this module is imported, before the session's qjobs
# runs: they share this client, pointed at that qjobs by the fixture below.
SESSION_CLIENT = Client("http://127.0.0.1:1/api", KEYS["alice"])


@pytest.fixture(autouse=True)
def _session_client_on_host(api_host: DevHost) -> Iterator[None]:
    SESSION_CLIENT.url = api_host.url("/api")
    yield


@pytest.fixture
def sampler() -> QJobsSampler:
    return QJobsSampler(SESSION_CLIENT)


@dimod.testing.load_sampler_bqm_tests(QJobsSampler(SESSION_CLIENT))
class TestDimodConformance(unittest.TestCase):
    """dimod's tests every sampler should pass: empty, one-variable and path models, as
    Ising, QUBO and each BQM class, labels of any hashable type."""


def random_model(vartype: dimod.Vartype, n: int, seed: int) -> dimod.BinaryQuadraticModel:
    rng = random.Random(seed)
    linear = {f"v{i}": rng.uniform(-2, 2) for i in range(n)}
    quadratic = {
        (f"v{i}", f"v{j}"): rng.uniform(-2, 2)
        for i, j in itertools.combinations(range(n), 2)
        if rng.random() < 0.6
    }
    return dimod.BinaryQuadraticModel(linear, quadratic, rng.uniform(-1, 1), vartype)


def test_sampler_has_dimods_api(sampler: QJobsSampler) -> None:
    dimod.testing.assert_sampler_api(sampler)


@pytest.mark.parametrize("vartype", [dimod.SPIN, dimod.BINARY])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sample_finds_exact_solvers_ground_energy(
    sampler: QJobsSampler, vartype: dimod.Vartype, seed: int
) -> None:
    bqm = random_model(vartype, 8, seed)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    found = sampler.sample(bqm, num_reads=20, seed=seed)
    assert found.first.energy == pytest.approx(ground, abs=1e-9)


def test_sample_energy_is_the_cost_qjobs_reports(sampler: QJobsSampler) -> None:
    bqm = random_model(dimod.SPIN, 6, 4)
    found = sampler.sample(bqm)
    assert found.first.energy == pytest.approx(found.info["cost"], abs=1e-9)


def test_info_names_the_job_that_ran_the_model_with_the_given_parameters(
    sampler: QJobsSampler,
) -> None:
    found = sampler.sample_qubo({("a", "b"): -1.0, ("b", "b"): 0.5}, num_reads=7, seed=11)
    job = SESSION_CLIENT.job(found.info["job_id"])
    assert (job.kind, job.state) == ("pubo", "succeeded")
    submitted = job.input()
    assert (submitted["reads"], submitted["seed"]) == (7, 11)


def test_time_limit_and_sweeps_reach_the_job(sampler: QJobsSampler) -> None:
    found = sampler.sample_ising({"x": 1.0}, {}, time_limit=2.5, sweeps=50)
    submitted = SESSION_CLIENT.job(found.info["job_id"]).input()
    assert (submitted["time_limit"], submitted["sweeps"]) == (2.5, 50)


def test_unknown_parameter_warns_and_is_not_sent(sampler: QJobsSampler) -> None:
    with pytest.warns(dimod.exceptions.SamplerUnknownArgWarning):
        found = sampler.sample_ising({"x": 1.0}, {}, chain_strength=2)
    assert "chain_strength" not in SESSION_CLIENT.job(found.info["job_id"]).input()
