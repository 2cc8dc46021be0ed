"""D-Wave Ocean: a `dimod.Sampler` that runs binary quadratic models as qjobs jobs.

    from qjobs_client import Client
    from qjobs_client.ocean import QJobsSampler
    sampleset = QJobsSampler(Client()).sample_ising({"a": 1}, {("a", "b"): -1})

A SPIN model goes as an `ising` job, a BINARY one as a `pubo` job, on local.optimizer (or
`target`). The model's variables (any hashable labels) become the ids 0..n-1 of the QIO
terms and are named back in the answer. qjobs answers the best state its `num_reads` anneals
found, so the sample set holds that one sample, its energy computed by dimod from the model,
and the job's id in `info["job_id"]`. Needs the `ocean` extra (dimod).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import dimod
from dimod.core.sampler import Sampler

from .sync_client import Client

DEFAULT_TARGET = "local.optimizer"


def qio_terms(bqm: dimod.BinaryQuadraticModel, labels: list[Hashable]) -> list[dict[str, Any]]:
    """The model as QIO terms over the ids of `labels`: every variable's linear term (zero
    biases too, so each variable is in the answer), each interaction, and the offset."""
    ids = {label: i for i, label in enumerate(labels)}
    terms: list[dict[str, Any]] = [{"c": float(bqm.get_linear(v)), "ids": [ids[v]]} for v in labels]
    terms += [{"c": float(bias), "ids": [ids[u], ids[v]]} for u, v, bias in bqm.iter_quadratic()]
    if bqm.offset or not terms:
        terms.append({"c": float(bqm.offset), "ids": []})
    return terms


class QJobsSampler(Sampler):
    """A dimod sampler whose every `sample` call is one qjobs job, waited for.

    `num_reads`: anneals run (the best is answered); `seed`: the annealer's seed (qjobs uses
    0 when none is given, so a repeated call gives the same answer); `time_limit`: seconds
    the job may run; `sweeps`: sweeps per anneal. `timeout`: seconds to wait for the job."""

    def __init__(
        self, client: Client, *, target: str = DEFAULT_TARGET, timeout: float | None = 300.0
    ) -> None:
        self.client = client
        self.target = target
        self.timeout = timeout

    @property
    def parameters(self) -> dict[str, list[str]]:
        return {"num_reads": [], "seed": [], "time_limit": [], "sweeps": []}

    @property
    def properties(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "url": self.client.url,
            "kinds": {"SPIN": "ising", "BINARY": "pubo"},
        }

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int | None = None,
        seed: int | None = None,
        time_limit: float | None = None,
        sweeps: int | None = None,
        **parameters: Any,
    ) -> dimod.SampleSet:
        self.remove_unknown_kwargs(**parameters)
        labels = list(bqm.variables)
        kind = "ising" if bqm.vartype is dimod.SPIN else "pubo"
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("reads", num_reads),
                ("seed", seed),
                ("time_limit", time_limit),
                ("sweeps", sweeps),
            )
            if value is not None
        }
        job = self.client.submit(kind, target=self.target, terms=qio_terms(bqm, labels), **fields)
        result = job.result(timeout=self.timeout)
        configuration = result["configuration"]
        row = [configuration[str(i)] for i in range(len(labels))]
        info = {
            "job_id": job.id,
            "cost": result["cost"],
            "algorithm": result.get("algorithm"),
            "sweeps": result.get("sweeps"),
        }
        sampleset: dimod.SampleSet = dimod.SampleSet.from_samples_bqm(
            ([row], labels), bqm, info=info
        )
        return sampleset
