"""Cirq: a `cirq.Sampler` that runs circuits as qjobs jobs.

    from qjobs_client import Client
    from qjobs_client.cirq import QJobsSampler
    result = QJobsSampler(Client()).run(circuit, repetitions=1000)

Each parameter resolver of a sweep is one `circuit` job: the resolved circuit as Cirq's own
OpenQASM 3 (what `circuit.to_qasm(version="3.0")` writes; its OpenQASM 2 uses `sx`, a gate
qjobs' qelib1.inc lacks). The answer is a `cirq.ResultDict` per resolver
with the circuit's measurement keys, each key's bits in its measurement's qubit order. qjobs
answers counts, not shots in order: the repetitions of a result are its counts' outcomes in
no particular order, the keys of one repetition from the same shot. Needs the `cirq` extra.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cirq
import numpy as np
from duet.futuretools import AwaitableFuture  # duet: cirq's own async runtime, a dependency

from .sync_client import Client, Job

DEFAULT_TARGET = "local.simulator"


@dataclass(frozen=True)
class Program:
    """A resolved circuit as OpenQASM, and each measurement key's register and width."""

    source: str
    registers: tuple[tuple[str, int], ...]  # (key, bits), in declaration order


def qasm_program(circuit: cirq.AbstractCircuit) -> Program:
    """The circuit as Cirq writes it in OpenQASM 3; ValueError for a key measured twice
    (its register would hold only the last measurement)."""
    operations = list(circuit.all_operations())
    keys = [cirq.measurement_key_name(op) for op in operations if cirq.is_measurement(op)]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"measurement keys measured more than once: {', '.join(repeated)}")
    output = cirq.QasmOutput(
        operations=operations,
        qubits=cirq.QubitOrder.DEFAULT.order_for(circuit.all_qubits()),
        header=f"Generated from Cirq v{cirq.__version__}",
        version="3.0",
    )
    register_of = output.args.meas_key_id_map
    widths = {register: width for register, (width, _) in output.cregs.items()}
    key_of = {register: key for key, register in register_of.items()}
    return Program(str(output), tuple((key_of[r], widths[r]) for r in output.cregs))


def result_of(
    counts: dict[str, int], registers: tuple[tuple[str, int], ...], resolver: cirq.ParamResolver
) -> cirq.ResultDict:
    """qjobs' counts (registers last declared first, each from its highest bit down) as one
    ResultDict row per shot."""
    rows: dict[str, list[list[int]]] = {key: [] for key, _ in registers}
    for outcome, shots in counts.items():
        parts = reversed(outcome.split(" ")) if registers else iter(())
        for (key, width), bits in zip(registers, parts, strict=True):
            row = [int(bits[width - 1 - i]) for i in range(width)]
            rows[key].extend([row] * shots)
    measurements = {
        key: np.array(rows[key], dtype=np.int8).reshape(-1, width) for key, width in registers
    }
    return cirq.ResultDict(params=resolver, measurements=measurements)


class QJobsSampler(cirq.Sampler):
    """Cirq sampler on a qjobs target (local.simulator unless `target` says). `seed`: the
    simulator's seed for every job (None: qjobs draws one); `timeout`: seconds to wait."""

    def __init__(
        self,
        client: Client,
        *,
        target: str = DEFAULT_TARGET,
        seed: int | None = None,
        timeout: float | None = 600.0,
    ) -> None:
        self.client = client
        self.target = target
        self.seed = seed
        self.timeout = timeout

    def _submit(
        self, circuit: cirq.AbstractCircuit, params: cirq.Sweepable, repetitions: int
    ) -> list[tuple[Job, Program, cirq.ParamResolver]]:
        """One job per resolver, all submitted before any is waited for."""
        seed: dict[str, Any] = {} if self.seed is None else {"seed": self.seed}
        runs = []
        for resolver in cirq.to_resolvers(params):
            resolved = qasm_program(cirq.resolve_parameters(circuit, resolver))
            job = self.client.submit(
                "circuit", target=self.target, source=resolved.source, shots=repetitions, **seed
            )
            runs.append((job, resolved, resolver))
        return runs

    def _results(
        self, runs: list[tuple[Job, Program, cirq.ParamResolver]]
    ) -> Sequence[cirq.Result]:
        return [
            result_of(job.result(timeout=self.timeout)["counts"], resolved.registers, resolver)
            for job, resolved, resolver in runs
        ]

    def run_sweep(
        self, program: cirq.AbstractCircuit, params: cirq.Sweepable, repetitions: int = 1
    ) -> Sequence[cirq.Result]:
        return self._results(self._submit(program, params, repetitions))

    async def run_sweep_async(
        self, program: cirq.AbstractCircuit, params: cirq.Sweepable, repetitions: int = 1
    ) -> Sequence[cirq.Result]:
        """Submits the jobs, then waits for them in a thread while other duet tasks run."""
        runs = self._submit(program, params, repetitions)
        future: AwaitableFuture[Sequence[cirq.Result]] = AwaitableFuture()

        def wait() -> None:
            try:
                future.try_set_result(self._results(runs))
            except BaseException as error:
                future.try_set_exception(error)

        threading.Thread(target=wait, name="qjobs-cirq-wait", daemon=True).start()
        results: Sequence[cirq.Result] = await future
        return results
