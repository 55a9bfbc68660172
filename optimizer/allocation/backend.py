"""Sparse (MI)LP models and the two solvers that run them.

The allocation models are built as arrays (:class:`ModelBuilder`, SciPy sparse matrices) and
handed to a solver without a modelling layer: building a PuLP model expression by expression cost
more than solving it (5 s of 6 s at 50 channels x 52 weeks).

Pure LPs always run in HiGHS in the process through ``highspy`` (no files, no subprocess; a
session keeps the basis when cutting planes are added). MILPs run in the solver chosen:

* ``cbc`` (the default): the CBC program bundled with PuLP, on an MPS file written by HiGHS;
  its bound is the incumbent widened by the relative gap it stopped at (none when it stopped on
  time). On the allocation MILPs it closes the gap at the root in a fraction of HiGHS's time.
* ``highs``: HiGHS's MIP solver (it spends most of its time in primal heuristics and sub-MIPs on
  these models); its dual bound is valid even when it stops at the time limit.

This is the only module of the package that imports highspy or PuLP (for CBC's path only).
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from optimizer.allocation.sparse_model import ModelBuilder, SparseModel
from optimizer.errors import ConfigError

__all__ = ["SOLVERS", "LPSession", "ModelBuilder", "Outcome", "SparseModel", "run_model"]

SOLVERS = ("cbc", "highs")

INF = math.inf

# the public ``highspy.Highs`` prints a banner on stdout when it is created (highspy 1.16);
# the core class behind it does not
_Highs = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)


@dataclass(frozen=True, eq=False)
class Outcome:
    """What a solver returned.

    Attributes
    ----------
    status : {"optimal", "stopped", "infeasible", "failed"}
        ``stopped``: time limit with a feasible solution.
    x : numpy.ndarray or None
        Variable values.
    objective : float or None
        Objective at ``x`` (offset included).
    bound : float or None
        Proven upper bound on the model's optimum, or None.
    """

    status: str
    x: np.ndarray | None
    objective: float | None
    bound: float | None


def run_model(model: SparseModel, solver: str, time_limit: float, gap: float) -> Outcome:
    """Maximize a model with HiGHS or CBC.

    Parameters
    ----------
    model : SparseModel
    solver : {"cbc", "highs"}
        The MILP solver; a model without integer variables always runs in HiGHS.
    time_limit : float
        Seconds.
    gap : float
        Relative MIP gap at which to stop.

    Returns
    -------
    Outcome
    """
    if solver not in SOLVERS:
        raise ConfigError(f"LP solver '{solver}' is unknown; use one of {', '.join(SOLVERS)}.")
    if solver == "highs" or not model.n_integer:
        return _run_highs(model, time_limit, gap)
    return _run_cbc(model, time_limit, gap)


def _highs_lp(model: SparseModel, sense: float, offset: bool = True) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = int(model.row_lo.size)
    lp.col_cost_ = sense * model.cost
    lp.offset_ = sense * model.offset if offset else 0.0
    lp.col_lower_ = np.where(np.isfinite(model.col_lo), model.col_lo, -highspy.kHighsInf)
    lp.col_upper_ = np.where(np.isfinite(model.col_hi), model.col_hi, highspy.kHighsInf)
    lp.row_lower_ = np.where(np.isfinite(model.row_lo), model.row_lo, -highspy.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(model.row_hi), model.row_hi, highspy.kHighsInf)
    a = model.matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_ = model.n_cols
    lp.a_matrix_.num_row_ = int(model.row_lo.size)
    if model.n_integer:
        kinds = np.where(model.integer, 1, 0)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
            for k in kinds.tolist()
        ]
    return lp


def _new_highs(time_limit: float, gap: float) -> highspy.Highs:
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # small models: threads only contend with the other cores
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    return h


def _run_highs(model: SparseModel, time_limit: float, gap: float) -> Outcome:
    h = _new_highs(time_limit, gap)
    lp = _highs_lp(model, 1.0)
    lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)
    h.run()
    st = h.getModelStatus()
    info = h.getInfo()
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, float) if has_x else None
    ms = highspy.HighsModelStatus
    if st == ms.kOptimal:
        status = "optimal"
    elif st in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        status = "infeasible"
    elif has_x:
        status = "stopped"
    else:
        status = "failed"
    objective = None if x is None else float(model.cost @ x + model.offset)
    bound: float | None = None
    if model.n_integer:
        dual = float(info.mip_dual_bound)
        if math.isfinite(dual) and status in ("optimal", "stopped"):
            bound = dual
    elif status == "optimal" and objective is not None:
        bound = float(info.objective_function_value)
    return Outcome(status, x, objective, bound)


def _cbc_path() -> str:
    # lazy: only to find the CBC program that PuLP bundles (imported here, not at module load)
    import pulp

    return str(pulp.PULP_CBC_CMD().path)


def _run_cbc(model: SparseModel, time_limit: float, gap: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="optimizer-cbc-") as tmp:
        mps, sol = Path(tmp) / "model.mps", Path(tmp) / "model.sol"
        h = _new_highs(time_limit, gap)
        # CBC minimizes the negated objective; the constant is added back here (MPS readers
        # differ on whether they count it)
        lp = _highs_lp(model, -1.0, offset=False)
        lp.sense_ = highspy.ObjSense.kMinimize
        h.passModel(lp)
        h.writeModel(str(mps))
        args = [_cbc_path(), str(mps), "-sec", f"{time_limit:g}", "-threads", "1"]
        if model.n_integer:
            # the feasibility pump took over half of CBC's time on the allocation MILPs, whose
            # root LP and rounding find the incumbent anyway
            args += ["-ratio", f"{gap:g}", "-feas", "off", "-solve"]
        else:
            args += ["-primalS"]
        args += ["-printingOptions", "all", "-solution", str(sol)]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not sol.exists():
            return Outcome("failed", None, None, None)
        lines = sol.read_text().splitlines()
    head = lines[0].split() if lines else ["?"]
    x = np.zeros(model.n_cols)
    for line in lines[1:]:
        parts = line.split()
        if parts and parts[0] == "**":
            parts = parts[1:]
        if len(parts) >= 3 and parts[1].startswith("c") and parts[1][1:].isdigit():
            x[int(parts[1][1:])] = float(parts[2])
    if head[0] == "Optimal":
        status = "optimal"
    elif head[0] in ("Infeasible", "Integer") or "infeasible" in lines[0].lower():
        return Outcome("infeasible", None, None, None)
    elif head[0] == "Stopped" and "objective" in head:
        status = "stopped"
    else:
        return Outcome("failed", None, None, None)
    objective = float(model.cost @ x + model.offset)
    bound: float | None = None
    if status == "optimal":
        try:  # the header's objective (the solution lines round to 8 significant digits)
            best = max(objective, -float(head[-1]) + model.offset)
        except ValueError:
            best = objective
        # CBC stops once (bound - incumbent) <= gap * |incumbent|
        slack = (gap * 1.01 if model.n_integer else 0.0) * max(abs(best), 1.0)
        bound = best + slack + 1e-7 * max(abs(best), 1.0)
    return Outcome(status, x, objective, bound)


class LPSession:
    """A pure LP kept in HiGHS between solves, for cutting-plane loops.

    Rows added after a solve keep the basis: the next solve is a warm dual simplex, a few
    iterations instead of a solve from scratch. Integer variables of the model are relaxed.

    Parameters
    ----------
    model : SparseModel
        The initial model.
    time_limit : float
        Seconds per solve.
    """

    def __init__(self, model: SparseModel, time_limit: float = 60.0) -> None:
        self._cost = model.cost
        self._offset = model.offset
        self._h = _new_highs(time_limit, 1e-9)
        lp = _highs_lp(model, 1.0)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.integrality_ = []
        self._h.passModel(lp)

    def add_rows(self, a: sp.sparray, lo: np.ndarray, hi: np.ndarray) -> None:
        """Add rows ``lo <= a @ v <= hi`` (``a`` has one column per model variable)."""
        csr = sp.csr_array(a)
        csr.sum_duplicates()
        k = csr.shape[0]
        if not k:
            return
        self._h.addRows(
            k,
            np.where(np.isfinite(lo), lo, -highspy.kHighsInf).astype(float),
            np.where(np.isfinite(hi), hi, highspy.kHighsInf).astype(float),
            int(csr.nnz),
            csr.indptr[:-1].astype(np.int32),
            csr.indices.astype(np.int32),
            csr.data.astype(float),
        )

    def solve(self) -> Outcome:
        """Solve (warm) and return the outcome; ``bound`` is the LP optimum when optimal."""
        self._h.run()
        st = self._h.getModelStatus()
        ms = highspy.HighsModelStatus
        if st in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
            return Outcome("infeasible", None, None, None)
        if st != ms.kOptimal:
            return Outcome("failed", None, None, None)
        x = np.asarray(self._h.getSolution().col_value, float)
        objective = float(self._cost @ x + self._offset)
        bound = float(self._h.getInfo().objective_function_value)
        return Outcome("optimal", x, objective, bound)

    def set_bounds(self, idx: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """Change the bounds of variables ``idx``."""
        idx = np.asarray(idx, np.int32)
        if idx.size:
            self._h.changeColsBounds(
                int(idx.size), idx, np.asarray(lo, float), np.asarray(hi, float)
            )
