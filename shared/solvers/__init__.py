"""The numeric work behind the targets: partitioning, annealing, circuits and Q# programs."""

import os

# qdk reads this once, at import (every module here that imports qdk comes after this line):
# its telemetry is off unless the operator turned it on.
os.environ.setdefault("QDK_PYTHON_TELEMETRY", "none")
