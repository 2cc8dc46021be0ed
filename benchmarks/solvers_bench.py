"""The local targets' solvers against the peers a user would otherwise pick, at equal time.

    pip install -r benchmarks/requirements.txt     # the peers: qiskit-aer is already a
                                                   # runtime dependency; dwave-samplers,
                                                   # numberpartitioning, networkx
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/solvers_bench.py

Families (each printed as one table, medians over seeds, ratio = qjobs / peer):

- circuits: dense random circuits (rx, rz on every qubit, then CNOTs on a random pairing, per
  layer; measured at the end), run through the circuit kind's own `solve` (what a warm worker
  does per job) against qiskit-aer (qiskit's importer + AerSimulator) in the same process;
  plus the first job of a freshly spawned worker process (imports included).
- annealing: Ising instances (SK n = 100 with ±1 couplings, 3-regular n = 1,000 and a 2D ±J
  torus n = 400, both ±1): sweeps per second of a job of one 1,000-sweep read (each side's
  setup included), then the best energy of dwave-samplers' SimulatedAnnealingSampler
  (`--reads` reads of 1,000 sweeps, its defaults otherwise) against qjobs' ising kind given
  the same wall time as its `time_limit` (`--qjobs-sweeps` per read, default 2,000, as many
  reads as fit).
- partitioning: random weights, qjobs' number_partitioning kind with `time_limit` T against
  numberpartitioning's complete Karmarkar–Karp generator consumed for the same T.

The machine is shared and noisy: read medians and ratios, not single times. numpy benchmarks
run best without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set on some machines for old OpenBLAS
builds): unset them for this command only, as above.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import multiprocessing.connection
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.kinds import KINDS  # noqa: E402


def never() -> bool:
    return False


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    table_head(title, header)
    for cells in rows:
        row(cells)


def table_head(title: str, header: list[str]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)


def row(cells: list[object]) -> None:
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


# circuits -----------------------------------------------------------------------------------
def dense_circuit(qubits: int, depth: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = ['OPENQASM 3.0;\ninclude "stdgates.inc";', f"qubit[{qubits}] q;", f"bit[{qubits}] c;"]
    for _ in range(depth):
        for k in range(qubits):
            lines.append(f"rx({rng.uniform(0, 3.14):.4f}) q[{k}];")
            lines.append(f"rz({rng.uniform(0, 3.14):.4f}) q[{k}];")
        order = list(range(qubits))
        rng.shuffle(order)
        lines += [f"cx q[{a}], q[{b}];" for a, b in zip(order[::2], order[1::2], strict=False)]
    return "\n".join([*lines, "c = measure q;", ""])


def aer_peer(source: str, shots: int, seed: int) -> dict[str, int]:
    from qiskit import qasm3
    from qiskit_aer import AerSimulator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        circuit = qasm3.loads(source)
    return AerSimulator().run(circuit, shots=shots, seed_simulator=seed).result().get_counts()


def first_job_in_a_fresh_worker(job: dict) -> float:
    """Seconds from handing a job to a just-spawned worker process to its outcome."""
    from shared.targets.worker_process import WorkerProcess

    worker = WorkerProcess()
    try:
        started = time.perf_counter()
        worker.start("circuit", job)
        outcome = worker.message(600)
        while outcome is not None and outcome[0] == "started":
            outcome = worker.message(600)
        assert outcome is not None and outcome[0] == "ok", outcome
        return time.perf_counter() - started
    finally:
        worker.kill()


def bench_circuits(seeds: int) -> None:
    kind = KINDS["circuit"]
    rows = []
    for qubits, depth, shots in [(12, 20, 1000), (18, 20, 1000), (20, 30, 100), (22, 30, 1000)]:
        ours, peers = [], []
        for seed in range(seeds):
            source = dense_circuit(qubits, depth, seed)
            job = kind.validate({"source": source, "shots": shots, "seed": seed})
            if seed == 0:
                aer_peer(source, shots, seed)  # imports and warms qiskit, as in a warm worker
                kind.solve(job, never)
            ours.append(timed(lambda job=job: kind.solve(job, never))[0])
            peers.append(timed(lambda s=source, n=shots, seed=seed: aer_peer(s, n, seed))[0])
        fresh = first_job_in_a_fresh_worker(
            kind.validate({"source": dense_circuit(qubits, depth, 0), "shots": shots, "seed": 0})
        )
        q, p = statistics.median(ours), statistics.median(peers)
        rows.append(
            [
                f"{qubits} qubits, depth {depth}, {shots:,} shots",
                f"{q:.3f}",
                f"{fresh:.2f}",
                f"{p:.3f}",
                f"{q / p:.2f}",
            ]
        )
    table(
        f"circuits (median of {seeds} circuits, seconds)",
        ["circuit", "qjobs (warm worker)", "qjobs (fresh worker, 1st job)", "qiskit-aer", "ratio"],
        rows,
    )


# annealing ----------------------------------------------------------------------------------
Terms = list[tuple[float, list[int]]]


def sk(seed: int, n: int = 100) -> Terms:
    rng = random.Random(seed)
    return [(rng.choice((-1.0, 1.0)), [i, j]) for i in range(n) for j in range(i + 1, n)]


def three_regular(seed: int, n: int = 1000) -> Terms:
    import networkx

    rng = random.Random(seed)
    graph = networkx.random_regular_graph(3, n, seed=seed)
    return [(rng.choice((-1.0, 1.0)), [a, b]) for a, b in graph.edges()]


def lattice(seed: int, side: int = 20) -> Terms:
    rng = random.Random(seed)
    terms = []
    for x in range(side):
        for y in range(side):
            k = x * side + y
            terms.append((rng.choice((-1.0, 1.0)), [k, ((x + 1) % side) * side + y]))
            terms.append((rng.choice((-1.0, 1.0)), [k, x * side + (y + 1) % side]))
    return terms


FAMILIES = {"SK n=100": sk, "3-regular n=1000": three_regular, "2D ±J torus n=400": lattice}


def energy(terms: Terms, values: dict[int, int]) -> float:
    return sum(c * values[a] * values[b] for c, (a, b) in terms)


def dwave_peer(terms: Terms, reads: int, sweeps: int, seed: int) -> float:
    import dimod
    from dwave.samplers import SimulatedAnnealingSampler

    model = dimod.BinaryQuadraticModel.from_ising({}, {(a, b): c for c, (a, b) in terms})
    samples = SimulatedAnnealingSampler().sample(
        model, num_reads=reads, num_sweeps=sweeps, seed=seed
    )
    return float(samples.first.energy)


def ising_job(terms: Terms, reads: int, sweeps: int, seed: int, time_limit: float) -> dict:
    """The job as submission validates it (host-side work, not timed)."""
    body = {"terms": [{"c": c, "ids": ids} for c, ids in terms], "sweeps": sweeps}
    return KINDS["ising"].validate({**body, "reads": reads, "seed": seed, "time_limit": time_limit})


def qjobs_ising(terms: Terms, job: dict) -> float:
    """The job's best energy, solved as a local worker solves it."""
    values = KINDS["ising"].solve(job, never)["configuration"]
    return energy(terms, {int(i): v for i, v in values.items()})


def bench_annealing(seeds: int, reads: int, qjobs_sweeps: int) -> None:
    qjobs_ising(sk(0, 10), ising_job(sk(0, 10), 1, 10, 0, 10))  # loads the compiled kernels
    speed_rows, quality_rows = [], []
    for name, family in FAMILIES.items():
        ours, peers, wins, ratios, times = [], [], 0, [], []
        for seed in range(seeds):
            terms = family(seed)
            one_read = ising_job(terms, 1, 1000, seed, 60)
            ours.append(timed(lambda t=terms, j=one_read: qjobs_ising(t, j))[0])
            peers.append(timed(lambda t=terms, s=seed: dwave_peer(t, 1, 1000, s))[0])
            peer_time, peer_best = timed(lambda t=terms, s=seed: dwave_peer(t, reads, 1000, s))
            our_best = qjobs_ising(terms, ising_job(terms, 10_000, qjobs_sweeps, seed, peer_time))
            wins += our_best <= peer_best
            ratios.append(our_best / peer_best)
            times.append(peer_time)
        q, p = statistics.median(ours), statistics.median(peers)
        speed_rows.append([name, f"{1000 / q:,.0f}", f"{1000 / p:,.0f}", f"{p / q:.2f}"])
        quality_rows.append(
            [
                name,
                f"{statistics.median(times):.3f}",
                f"{wins}/{seeds}",
                f"{statistics.median(ratios):.4f}",
            ]
        )
    table(
        f"annealing speed (a job of one 1,000-sweep read, setup included; median of {seeds})",
        ["instances", "qjobs sweeps/s", "dwave-samplers sweeps/s", "speed ratio (qjobs/dwave)"],
        speed_rows,
    )
    table(
        f"annealing at equal time (dwave: {reads} reads x 1,000 sweeps; qjobs: reads of"
        f" {qjobs_sweeps:,} sweeps within the same time)",
        ["instances", "time (s, median)", "qjobs best <= dwave best", "energy ratio (median)"],
        quality_rows,
    )


# partitioning -------------------------------------------------------------------------------
def ckk_peer(weights: list[int], seconds: float) -> int | None:
    """The best difference numberpartitioning's CKK reports within `seconds` (None: no answer
    yet; its pure-Python first descent takes minutes at n = 10,000). It runs in a child
    process that is killed when the time is up."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_ckk_improvements, args=(weights, sender), daemon=True)
    deadline = time.perf_counter() + seconds
    child.start()
    sender.close()
    best = None
    try:
        while (left := deadline - time.perf_counter()) > 0 and receiver.poll(left):
            best = receiver.recv()
    except EOFError:  # the search ended: its last answer is optimal
        pass
    child.kill()
    child.join()
    return best


def _ckk_improvements(weights: list[int], sender: multiprocessing.connection.Connection) -> None:
    from numberpartitioning import complete_karmarkar_karp

    best = None
    for found in complete_karmarkar_karp(weights):
        difference = abs(found.sizes[0] - found.sizes[1])
        if best is None or difference < best:
            best = difference
            sender.send(best)
    sender.close()


def bench_partitioning(seeds: int, seconds: float) -> None:
    kind = KINDS["number_partitioning"]
    table_head(
        f"number partitioning (time limit {seconds:g} s each; median of {seeds} instances)",
        ["n", "bits", "qjobs time (s)", "qjobs difference", "CKK difference", "qjobs <= CKK",
         "ratio"],
    )  # fmt: skip
    for n in (20, 40, 60, 100, 200, 1000, 10_000):
        for bits in (20, 44, 52):
            ours, peers, ahead, ours_times = [], [], 0, []
            for seed in range(seeds):
                rng = random.Random(seed * 1_000_003 + n * 64 + bits)
                weights = [rng.randrange(1, 2**bits) for _ in range(n)]
                job = kind.validate({"weights": weights, "time_limit": seconds})
                took, result = timed(lambda job=job: kind.solve(job, never))
                peer = ckk_peer(weights, seconds)
                ours.append(result["difference"])
                ours_times.append(took)
                peers.append(math.inf if peer is None else peer)
                ahead += peer is None or result["difference"] <= peer
            q, p = statistics.median(ours), statistics.median(peers)
            row(
                [n, bits, f"{statistics.median(ours_times):.2f}", f"{q:,.0f}",
                 "no answer" if p == math.inf else f"{p:,.0f}", f"{ahead}/{seeds}",
                 f"{q / p:.3g}" if 0 < p < math.inf else "-"]
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["circuits", "annealing", "partitioning"])
    parser.add_argument("--seeds", type=int, default=10, help="instances per annealing family")
    parser.add_argument("--reads", type=int, default=25, help="dwave-samplers' reads")
    parser.add_argument("--qjobs-sweeps", type=int, default=2000, help="qjobs' sweeps per read")
    parser.add_argument("--partition-seconds", type=float, default=1.0)
    parser.add_argument("--partition-seeds", type=int, default=3)
    parser.add_argument("--circuit-seeds", type=int, default=3)
    args = parser.parse_args()
    print(f"solvers benchmark, {multiprocessing.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    if args.only in (None, "circuits"):
        bench_circuits(args.circuit_seeds)
    if args.only in (None, "annealing"):
        bench_annealing(args.seeds, args.reads, args.qjobs_sweeps)
    if args.only in (None, "partitioning"):
        bench_partitioning(args.partition_seeds, args.partition_seconds)


if __name__ == "__main__":
    main()
