"""Pictures of results (the `plot` extra, matplotlib): counts as a histogram, a partition's
two subsets as two stacked bars, an Ising/PUBO configuration as one bar per variable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure() -> Figure:
    """A Figure without pyplot: no GUI backend is touched, and notebooks still show it."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError("Plotting needs matplotlib: pip install 'qjobs-client[plot]'") from error
    return Figure(figsize=(7, 3.5))


def plot_result(
    kind: str, result: dict[str, Any], title: str = "", path: str | Path | None = None
) -> Figure:
    """Draw a result; save it to `path` when given. Returns the matplotlib Figure."""
    figure = _figure()
    axes = figure.subplots()
    if kind in ("circuit", "qsharp"):
        counts: dict[str, int] = result["counts"]
        outcomes = sorted(counts)
        axes.bar(outcomes, [counts[o] for o in outcomes], color="#3b6fb6")
        axes.set_xlabel("outcome")
        axes.set_ylabel("shots")
        axes.tick_params(axis="x", labelrotation=90 if len(outcomes) > 8 else 0)
    elif kind == "number_partitioning":
        for row, subset in enumerate(result["subsets"]):
            left = 0
            for weight in subset:
                axes.barh(
                    row,
                    weight,
                    left=left,
                    color="#3b6fb6" if row == 0 else "#d9822b",
                    edgecolor="white",
                )
                if weight:
                    axes.text(
                        left + weight / 2,
                        row,
                        str(weight),
                        ha="center",
                        va="center",
                        color="white",
                        fontsize=8,
                    )
                left += weight
        sums = result["sums"]
        axes.set_yticks([0, 1], [f"subset 1 (sum {sums[0]})", f"subset 2 (sum {sums[1]})"])
        axes.invert_yaxis()
        axes.set_xlabel(f"weight (difference {result['difference']})")
    elif kind in ("ising", "pubo"):
        configuration: dict[str, int] = result["configuration"]
        ids = sorted(configuration, key=int)
        axes.bar(ids, [configuration[i] for i in ids], color="#3b6fb6")
        axes.set_xlabel("variable id")
        axes.set_ylabel("value")
        axes.set_title(f"cost {result['cost']}", loc="right", fontsize=9)
    else:
        raise ValueError(f"no plot for results of kind {kind!r}")
    if title:
        axes.set_title(title, loc="left", fontsize=10)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path)
    return figure
