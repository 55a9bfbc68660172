"""What the planners share about solving: outcome status, solver names, the PuLP solver builder.

Both ``allocation/`` and ``pricing/`` import from here (this module imports only
:mod:`optimizer.errors`, and PuLP when a solver is built), so a status or a solver name means the
same thing in a media plan and in a price list.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from optimizer.errors import ConfigError

if TYPE_CHECKING:
    import pulp

__all__ = ["SOLVERS", "THREADS", "SolveStatus", "check_solver", "pulp_solver"]

#: MILP solvers the planners accept: the CBC program bundled with PuLP, or HiGHS.
SOLVERS = ("cbc", "highs")

#: Threads per solve: the models are small, extra threads only contend with the other cores
#: (and HiGHS keeps one thread pool per process, so every HiGHS call must ask for the same).
THREADS = 1


class SolveStatus(StrEnum):
    """Outcome of a planner (media allocation or pricing).

    * ``OPTIMAL``: feasible solution whose certified relative gap is within the tolerance;
    * ``FEASIBLE``: feasible solution, gap above the tolerance or not certifiable (reported).

    Infeasible problems raise :class:`~optimizer.errors.InfeasibleError` instead.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


def check_solver(name: str) -> str:
    """Return ``name`` if it is one of :data:`SOLVERS`.

    Raises
    ------
    ConfigError
        Unknown solver name; the message lists the known ones.
    """
    if name not in SOLVERS:
        raise ConfigError(f"LP solver '{name}' is unknown; use one of {', '.join(SOLVERS)}.")
    return name


def pulp_solver(name: str, *, gap_rel: float, time_limit: float) -> pulp.LpSolver:
    """A silent PuLP solver limited to :data:`THREADS` threads.

    Parameters
    ----------
    name : {"cbc", "highs"}
        Solver (checked with :func:`check_solver`).
    gap_rel : float
        Relative MIP gap at which to stop.
    time_limit : float
        Seconds.

    Returns
    -------
    pulp.LpSolver
    """
    import pulp  # lazy: 0.6 s to import, and only the pricing MILP builds a PuLP solver

    if check_solver(name) == "highs":
        return pulp.HiGHS(msg=False, gapRel=gap_rel, timeLimit=time_limit, threads=THREADS)
    return pulp.PULP_CBC_CMD(msg=False, gapRel=gap_rel, timeLimit=time_limit, threads=THREADS)
