"""A local stand-in for the Azure Quantum workspace data plane that the unchanged
azure-quantum SDK talks to through a TLS proxy (see devhost.tls_proxy): jobs run for real
on the qdk simulator, with knobs for queueing, faults and provider failures."""

from .knobs import Knobs
from .standin import QuantumStandIn

__all__ = ["Knobs", "QuantumStandIn"]
