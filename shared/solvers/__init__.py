"""The numeric work behind the local targets: partitioning, annealing, circuit simulation."""
