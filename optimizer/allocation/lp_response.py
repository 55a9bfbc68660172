"""The piecewise-linear response rows of the LP/MILP allocation model (see :mod:`.lp`).

For each scenario group and channel, the adstocked spend of each week is a linear expression of
the plan; its response curve is written as chords on adaptively chosen breakpoints, in
incremental form (``a = a0 + sum_k d_k``), with binaries forcing the fill order over the convex
part of an S-curve (or its concave hull in scenario models and with ``relax_toes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.allocation.problem import AllocationProblem
from optimizer.allocation.pwl import concave_hull, focus_level, pieces_of
from optimizer.allocation.sparse_model import ModelBuilder
from optimizer.curves import ResponseCurves

__all__ = [
    "DENSE",
    "PieceSettings",
    "PlanGrid",
    "ResponseTerms",
    "ScenarioCurves",
    "add_response",
    "scenario_curves",
]

#: Breakpoints added over the range of a first plan's adstock (``dense``).
DENSE = 16

#: Adstock weights below this (per EUR) are no coefficients of the model: the solvers drop
#: matrix values that small (HiGHS: ``small_matrix_value`` 1e-9, and CBC reads the model HiGHS
#: writes), so the rows they would read differ from the ones the pieces were sized for; against
#: a plan pinned by its bounds (a fixed channel) that reads as an infeasible model. Their share of
#: the adstock, at most what the highest plan puts there, goes into the carry-over instead.
_W_ZERO = 1e-8

#: Share of the highest adstock by which the pieces reach past the lowest and the highest
#: adstock the bounds allow. A plan pinned by its bounds (a fixed channel) otherwise meets its
#: adstock rows with every piece at a bound, up to round-off, and HiGHS' MIP presolve reads a
#: round-off of 1e-13 there as an infeasible model (quantile risk). Wider pieces are still
#: over-estimators of the curve.
_REACH = 1e-7


@dataclass(frozen=True, eq=False)
class ScenarioCurves:
    """The curves the model is written on.

    Attributes
    ----------
    weights : numpy.ndarray
        Adstock weights per group, (G, C, L).
    groups : list of numpy.ndarray
        Posterior samples of each group: all of them (posterior mean: one group, sample-mean
        weights) or one sample per group (quantile, CVaR risk).
    carry : numpy.ndarray
        Adstock carried over from the history per group, (G, T, C).
    """

    weights: np.ndarray
    groups: list[np.ndarray]
    carry: np.ndarray

    @property
    def n_groups(self) -> int:
        """Scenario groups."""
        return len(self.groups)


def scenario_curves(
    curves: ResponseCurves, problem: AllocationProblem, t_len: int, scenarios: int
) -> ScenarioCurves:
    """One representative curve per channel (posterior mean) or ``scenarios`` sampled ones."""
    c_len = len(curves.channels)
    if problem.risk.kind == "mean":
        # one representative curve per channel: sample-mean weights, sample-mean response
        scen_w = curves.weights.mean(axis=0, keepdims=True)  # (1, C, L)
        groups = [np.arange(curves.n_samples)]
        one = curves.subset(slice(0, 1))
        carry = ResponseCurves(
            one.channels, scen_w, one.saturation, one.params, one.beta, one.history, one.current
        ).adstock(np.zeros((t_len, c_len)))  # (1, T, C)
        return ScenarioCurves(scen_w, groups, carry)
    rng = np.random.default_rng(problem.seed)
    k = min(scenarios, curves.n_samples)
    pick = np.sort(rng.choice(curves.n_samples, size=k, replace=False))
    return ScenarioCurves(
        curves.weights[pick],
        [np.asarray([i]) for i in pick],
        curves.subset(pick).adstock(np.zeros((t_len, c_len))),
    )


@dataclass(frozen=True, eq=False)
class PlanGrid:
    """The plan's variables and bounds in a model.

    Attributes
    ----------
    x : numpy.ndarray
        Column indices of the plan variables, (T * C,), week-major.
    lo, hi : numpy.ndarray
        Lowest and highest plan the bounds allow, (T, C) EUR per week.
    week_w : numpy.ndarray
        Value weight of each week, (T,) (weights under 1e-9 set to 0).
    n_plan : int
        Planned weeks (the weeks after them, if any, are the tail).
    """

    x: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    week_w: np.ndarray
    n_plan: int

    @property
    def xg(self) -> np.ndarray:
        """Plan columns as (T, C)."""
        return self.x.reshape(self.lo.shape)

    @property
    def t_len(self) -> int:
        """Weeks modelled: horizon plus tail."""
        return int(self.lo.shape[0])

    @property
    def spans(self) -> list[tuple[int, int]]:
        """(first, end) week of the horizon and, when modelled, of the tail."""
        t_len, n_plan = self.t_len, self.n_plan
        return [(0, n_plan)] + ([(n_plan, t_len)] if t_len > n_plan else [])


@dataclass(frozen=True)
class PieceSettings:
    """How the curves are cut into pieces.

    Attributes
    ----------
    pieces : int
        Largest number of pieces per curve.
    tol_abs : float
        Chord error (EUR per week) at which no more pieces are placed.
    dense : numpy.ndarray or None
        A previous plan (T, C) whose adstock range gets ``DENSE`` more breakpoints.
    relax_toes : bool
        S-shaped pieces by their concave hull (no binaries).
    """

    pieces: int
    tol_abs: float
    dense: np.ndarray | None
    relax_toes: bool


@dataclass(eq=False)
class ResponseTerms:
    """The response pieces' columns and coefficients, filled while the model is built.

    Per scenario group ``k``: revenue columns and coefficients (``rev_cols``, ``rev_coef``),
    value coefficients (``val_coef``: revenue times the value rate and week weights) and the
    constants of the pieces' starts (``rev_const``, ``val_const``); per channel ``c`` the
    group-mean revenue (``chan_*``, for minimum ROAS rules). ``n_bin``: fill-order binaries;
    ``shift_total``: what the pieces' shifts add to the bound; ``bridged``: S-shaped pieces
    replaced by their hull, ``(k, c, first, end, bp, slopes, start, hull_bp, hull_slopes)``.
    """

    n_groups: int
    n_channels: int
    rev_cols: list[list[np.ndarray]] = field(default_factory=list)
    rev_coef: list[list[np.ndarray]] = field(default_factory=list)
    val_coef: list[list[np.ndarray]] = field(default_factory=list)
    rev_const: np.ndarray = field(default_factory=lambda: np.zeros(0))
    val_const: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chan_cols: list[list[np.ndarray]] = field(default_factory=list)
    chan_coef: list[list[np.ndarray]] = field(default_factory=list)
    chan_const: np.ndarray = field(default_factory=lambda: np.zeros(0))
    n_bin: int = 0
    shift_total: float = 0.0
    bridged: list[tuple] = field(default_factory=list)

    def __post_init__(self) -> None:
        g, c = self.n_groups, self.n_channels
        self.rev_cols = [[] for _ in range(g)]
        self.rev_coef = [[] for _ in range(g)]
        self.val_coef = [[] for _ in range(g)]
        self.rev_const = np.zeros(g)
        self.val_const = np.zeros(g)
        self.chan_cols = [[] for _ in range(c)]
        self.chan_coef = [[] for _ in range(c)]
        self.chan_const = np.zeros(c)


def add_response(
    b: ModelBuilder,
    curves: ResponseCurves,
    scen: ScenarioCurves,
    grid: PlanGrid,
    a_coef: float,
    settings: PieceSettings,
) -> ResponseTerms:
    """Add every group's and channel's response pieces and adstock rows to the model."""
    terms = ResponseTerms(scen.n_groups, len(curves.channels))
    t_len = grid.t_len
    for k, members in enumerate(scen.groups):
        for c, kind in enumerate(curves.saturation):
            w_full = scen.weights[k, c]
            p_kc, beta_kc = curves.params[members, c], curves.beta[members, c]
            # weights the solver would drop are left out of the rows; the most they can add
            # (with the highest plan) is added to the carry-over, so that the model's adstock
            # is what the solver reads and at least the exact one (the curves increase: the
            # pieces stay over-estimators)
            w = np.where(np.abs(w_full) < _W_ZERO, 0.0, w_full)
            base = scen.carry[k, :, c]
            if np.any(w != w_full):
                base = base + np.convolve(grid.hi[:, c], w_full - w)[:t_len]
            level = max(float(curves.history[:, c].max(initial=0.0)), float(curves.current[c]))
            focus = focus_level(kind, p_kc, level)
            for first, end_ in grid.spans:
                where = (k, c, first, end_)
                a0, bp, slopes, start = _span_pieces(
                    terms, where, kind, (p_kc, beta_kc, focus), base, w, grid, settings
                )
                _add_pieces(b, terms, where, (a0, bp, slopes, start), base, w, grid, a_coef)
    return terms


def _span_pieces(
    terms: ResponseTerms,
    where: tuple[int, int, int, int],
    kind: str,
    curve: tuple[np.ndarray, np.ndarray, float],
    base: np.ndarray,
    w: np.ndarray,
    grid: PlanGrid,
    settings: PieceSettings,
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """First adstock, breakpoints, slopes and start value of one curve over one span.

    One set of pieces per span on [lowest, highest] adstock the bounds allow, a hair wider
    (``_REACH``): no piece below what any plan reaches (fewer pieces, often no convex toe).
    Records the pieces' shift in ``terms`` and any S-shaped pieces replaced by their hull.
    """
    k, c, first, end_ = where
    p_kc, beta_kc, focus = curve
    t_len = grid.t_len
    # the adstocked spend of the lowest and the highest plan the bounds allow
    low = base + np.convolve(grid.lo[:, c], w)[:t_len]
    high = base + np.convolve(grid.hi[:, c], w)[:t_len]
    top = float(high[first:end_].max())
    reach = _REACH * max(1.0, abs(top))
    a0 = float(low[first:end_].min()) - reach
    top += reach
    extra = None
    if settings.dense is not None:
        at = base[first:end_] + np.convolve(settings.dense[:, c], w)[first:end_]
        lo_d, hi_d = max(float(at.min()) * 0.97, a0), float(at.max()) * 1.03
        extra = np.linspace(lo_d, max(hi_d, lo_d), DENSE)
    bp, slopes, start, shift = pieces_of(
        kind, p_kc, beta_kc, top, focus, settings.pieces, settings.tol_abs, lo=a0, extra=extra
    )
    a0 = float(bp[0])
    if (terms.n_groups > 1 or settings.relax_toes) and np.any(np.diff(slopes) > 0):
        # scenario models (quantile, CVaR): S-curves by their concave envelope, so that no
        # binaries multiply with the scenarios; SLSQP then works on the exact curves.
        # relax_toes: the same, checked after the solve
        hull = concave_hull(bp, slopes, start)
        terms.bridged.append((k, c, first, end_, bp, slopes, start, *hull))
        bp, slopes = hull
    terms.shift_total += shift * float(grid.week_w[first:end_].sum()) / terms.n_groups
    return a0, bp, slopes, start


def _add_pieces(
    b: ModelBuilder,
    terms: ResponseTerms,
    where: tuple[int, int, int, int],
    pieces: tuple[float, np.ndarray, np.ndarray, float],
    base: np.ndarray,
    w: np.ndarray,
    grid: PlanGrid,
    a_coef: float,
) -> None:
    """Piece variables and adstock rows of one curve over one span; terms recorded.

    ``pieces``: the first adstock, breakpoints, slopes and start value (:func:`_span_pieces`).
    """
    k, c, first, end_ = where
    a0, bp, slopes, start = pieces
    lags = w.size
    tt, ll = np.meshgrid(np.arange(grid.t_len), np.arange(lags), indexing="ij")
    keep = ll <= tt
    # pairs (week t, plan week t - l, lag l) of the adstock convolution
    conv_t, conv_l = tt[keep], ll[keep]
    xg, week_w, n_groups = grid.xg, grid.week_w, terms.n_groups
    per_week = [(np.diff(bp), slopes)] * (end_ - first)
    for t0_, t1_, lengths, sl in _blocks(per_week):
        weeks = np.arange(first + t0_, first + t1_)
        nw, nj = len(weeks), len(lengths)
        d = b.cols(0.0, np.tile(lengths, nw)).reshape(nw, nj)
        # adstock rows: a0 + sum_j d[t, j] - sum_l w[l] x[t - l] = carry[t]
        sel = (conv_t >= weeks[0]) & (conv_t <= weeks[-1]) & (w[conv_l] != 0)
        ct, cl = conv_t[sel], conv_l[sel]
        r_d = np.repeat(np.arange(nw), nj)
        rhs = base[weeks] - a0
        b.rows(
            np.r_[r_d, ct - weeks[0]],
            np.r_[d.ravel(), xg[ct - cl, c]],
            np.r_[np.ones(nw * nj), -w[cl]],
            rhs,
            rhs,
            count=nw,
        )
        coef = np.tile(sl, nw)
        wcoef = coef * np.repeat(week_w[weeks], nj)
        terms.rev_cols[k].append(d.ravel())
        terms.rev_coef[k].append(coef)
        terms.val_coef[k].append(a_coef * wcoef)
        terms.rev_const[k] += start * nw
        terms.val_const[k] += a_coef * start * float(week_w[weeks].sum())
        terms.chan_cols[c].append(d.ravel())
        terms.chan_coef[c].append(coef / n_groups)
        terms.chan_const[c] += start * nw / n_groups
        terms.n_bin += _fill_order(b, d, lengths, sl)


def _blocks(
    per_week: list[tuple[np.ndarray, np.ndarray]],
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Group consecutive weeks sharing their pieces: ``(first, end, lengths, slopes)``."""
    out: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    for t, (lengths, slopes) in enumerate(per_week):
        if out and out[-1][2] is lengths and out[-1][3] is slopes:
            out[-1] = (out[-1][0], t + 1, lengths, slopes)
        else:
            out.append((t, t + 1, lengths, slopes))
    return out


def _fill_order(b: ModelBuilder, d: np.ndarray, lengths: np.ndarray, slopes: np.ndarray) -> int:
    """Binaries forcing pieces to fill in order over the convex part; returns their number.

    ``d`` is (weeks, pieces) of one channel sharing ``lengths``/``slopes``.
    """
    rising = np.nonzero(slopes[1:] > slopes[:-1] * (1 + 1e-9) + 1e-15)[0]
    if not len(rising):
        return 0
    m = int(rising.max()) + 1  # last piece of the convex part
    nw = d.shape[0]
    y = b.cols(0.0, 1.0, nw * (m + 1), integer=True).reshape(nw, m + 1)
    r = np.arange(nw)
    for j in range(m):
        # d_j >= len_j y_j ; d_{j+1} <= len_{j+1} y_j
        b.rows(
            np.r_[r, r],
            np.r_[d[:, j], y[:, j]],
            np.r_[np.ones(nw), np.full(nw, -lengths[j])],
            0.0,
            np.inf,
            count=nw,
        )
        b.rows(
            np.r_[r, r],
            np.r_[d[:, j + 1], y[:, j]],
            np.r_[np.ones(nw), np.full(nw, -lengths[j + 1])],
            -np.inf,
            0.0,
            count=nw,
        )
    b.rows(
        np.r_[r, r],
        np.r_[d[:, m], y[:, m]],
        np.r_[np.ones(nw), np.full(nw, -lengths[m])],
        0.0,
        np.inf,
        count=nw,
    )
    tail = d[:, m + 1 :]
    if tail.shape[1]:
        nt = tail.shape[1]
        b.rows(
            np.r_[np.repeat(r, nt), r],
            np.r_[tail.ravel(), y[:, m]],
            np.r_[np.ones(nw * nt), np.full(nw, -float(lengths[m + 1 :].sum()))],
            -np.inf,
            0.0,
            count=nw,
        )
    return nw * (m + 1)
