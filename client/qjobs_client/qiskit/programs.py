"""Qiskit circuits as the OpenQASM 3 programs qjobs runs."""

from __future__ import annotations

from qiskit import qasm3
from qiskit.circuit import QuantumCircuit, QuantumRegister


def on_virtual_qubits(circuit: QuantumCircuit) -> QuantumCircuit:
    """A transpiled circuit on `q[0..k)`, its used physical qubits in order, without its layout.

    Once transpiled, a circuit names physical qubits, which OpenQASM 3 writes as `$n` and
    qjobs does not take, and spans every qubit of the target, idle ancillas included, which a
    simulator would simulate. qjobs' targets take any qubit pairs, so renaming is exact.
    """
    used = sorted({circuit.find_bit(q).index for item in circuit.data for q in item.qubits})
    register = QuantumRegister(len(used), "q")
    renamed = dict(zip((circuit.qubits[i] for i in used), register, strict=True))
    virtual = QuantumCircuit(register, name=circuit.name, global_phase=circuit.global_phase)
    virtual.add_bits(circuit.clbits)  # first, so the bits keep their order
    for classical in circuit.cregs:
        virtual.add_register(classical)
    for item in circuit.data:
        virtual.append(item.operation, [renamed[q] for q in item.qubits], item.clbits, copy=False)
    return virtual


def openqasm(circuit: QuantumCircuit) -> str:
    """The circuit as an OpenQASM 3 program (`qiskit.qasm3.dumps`)."""
    source: str = qasm3.dumps(on_virtual_qubits(circuit) if circuit.layout is not None else circuit)
    return source
