"""LP/MILP allocation: piecewise-linear response on the adstocked spend, built as arrays.

Adstock is linear in the plan, so each week's adstocked spend ``a[t, c]`` is a linear expression
of the plan (plus the carry-over of the history), and the response is a one-dimensional curve of
``a``. Each curve is replaced by its chord interpolant on adaptively chosen breakpoints, written
in *incremental* form ``a = sum_k d_k``, ``0 <= d_k <= len_k``, ``r = sum_k slope_k d_k``:

* concave curves (Hill slope <= 1, logistic): slopes decrease, a maximizer fills the pieces in
  order by itself, so the model is a pure LP;
* S-shaped curves (Hill slope > 1): the slopes first increase; one binary per piece of the
  convex part forces the fill order (a MILP) and the concave tail stays continuous.

The chord interpolant lies below a concave piece by at most ``e`` (measured on a fine sub-grid
per piece) and above a convex piece, so ``chords + max e`` over-estimates the curve and the
(MILP) bound of the model plus ``a * sum(max e)`` bounds the best value of the exact curves when
the model is exact in everything else (posterior-mean risk and adstock weights equal across
samples). Other cases get their certificate from :mod:`optimizer.allocation.certify`.

The no-restart rule adds one binary per week of each channel it constrains (on/off) with
``level * z <= x <= hi * z`` and the weeks on forming one block.

Models go to HiGHS or CBC through :mod:`optimizer.allocation.backend` without a modelling layer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from optimizer.allocation.backend import SOLVERS, ModelBuilder, run_model
from optimizer.allocation.polytope import LinearRows, OnOff
from optimizer.allocation.problem import AllocationProblem, BudgetMode
from optimizer.allocation.pwl import concave_hull, focus_level, pieces_of
from optimizer.curves import ResponseCurves
from optimizer.errors import InfeasibleError

__all__ = ["DENSE", "PIECE_TOL", "SOLVERS", "LPSolution", "add_linear_rows", "solve_lp"]

#: Chord error at which no more breakpoints are placed, relative to the weekly revenue of all
#: channels at their run-rate (summed over the horizon it stays near 1e-4 of the revenue).
PIECE_TOL = 3e-4

#: Breakpoints added over the range of a first plan's adstock (``dense``).
DENSE = 16

#: Relative slack of equality rows in the LP (the exact rows are checked on the final plan).
_EQ_TOL = 1e-10

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

#: With ``relax_toes``, a plan stands for the model with binaries when the hull exceeds the
#: pieces at it by at most this share of the model's value: the MILP's optimum is at most the
#: LP's, and the plan is worth at least the LP's optimum minus that excess in the pieces, so
#: it is within this share of the MILP's plan (a quarter of the default gap tolerance).
_BRIDGE_TOL = 2.5e-4


@dataclass(frozen=True, eq=False)
class LPSolution:
    """What the PWL model returns.

    Attributes
    ----------
    plan : numpy.ndarray
        (T, C) EUR per week.
    model_value : float
        Optimal value of the PWL model (its own estimate of the risk-adjusted value), EUR.
    bound : float or None
        A valid upper bound on the exact problem's optimum (None when the model is not an
        over-estimator of the exact problem), EUR.
    mip : bool
        Whether binaries were needed.
    n_vars, n_binaries : int
        Model size.
    solver : str
        ``"highs"`` or ``"cbc"`` (the one that ran).
    seconds : float
        Build and solve time.
    status : str
        ``optimal`` or ``stopped`` (time limit, best plan found).
    exact : bool
        With ``relax_toes``: the plan's cells lie where the hull equals the pieces, up to
        ``_BRIDGE_TOL`` of the value (the plan then stands for the model with binaries). Always
        True otherwise.
    shape_mip : bool
        Whether binaries were needed for the curves (S-shaped, quantile risk), not only for the
        no-restart rule.
    """

    plan: np.ndarray
    model_value: float
    bound: float | None
    mip: bool
    n_vars: int
    n_binaries: int
    solver: str
    seconds: float
    status: str = "optimal"
    shape_mip: bool = False
    exact: bool = True


def add_linear_rows(b: ModelBuilder, rows: LinearRows, x: np.ndarray) -> None:
    """Add the problem's linear rows on plan variables ``x`` (flat indices) to a model."""
    rhs = rows.rhs
    # the solver reads the model with limited precision: against bounds that pin the plan (a
    # fixed channel, equal weekly bounds) an exact equality can become infeasible by round-off
    tol = np.where(rows.equality, _EQ_TOL * np.maximum(1.0, np.abs(rhs)), 0.0)
    lo = np.where(rows.equality, rhs - tol, -np.inf)
    b.matrix_rows(rows.matrix, x, lo, rhs + tol)


def _add_onoff(
    b: ModelBuilder, oo: OnOff, xg: np.ndarray, hi: np.ndarray, relax: bool = False
) -> int:
    """Binaries of the no-restart rule (continuous in [0, 1] when ``relax``); their number."""
    t_len, k_len = oo.n_plan, len(oo.channels)
    z = b.cols(0.0, 1.0, t_len * k_len, integer=not relax).reshape(t_len, k_len)
    xs = xg[:t_len, oo.channels]
    top = hi[:t_len, oo.channels]
    n = t_len * k_len
    r = np.arange(n)
    # x - hi z <= 0 and x - level z >= 0
    b.rows(np.r_[r, r], np.r_[xs.ravel(), z.ravel()], np.r_[np.ones(n), -top.ravel()], -np.inf, 0)
    b.rows(
        np.r_[r, r],
        np.r_[xs.ravel(), z.ravel()],
        np.r_[np.ones(n), -oo.level.ravel()],
        0,
        np.inf,
    )
    for k in range(k_len):
        if t_len < 2 and oo.was_on[k]:
            continue
        if oo.was_on[k]:
            # on in the last history week: the weeks on are the first ones (z non-increasing)
            rr = np.arange(t_len - 1)
            b.rows(
                np.r_[rr, rr],
                np.r_[z[1:, k], z[:-1, k]],
                np.r_[np.ones(t_len - 1), -np.ones(t_len - 1)],
                -np.inf,
                0,
            )
        else:
            # off before the horizon: at most one switch-on, v[t] >= z[t] - z[t-1]
            v = b.cols(0.0, 1.0, t_len)
            rr = np.arange(t_len)
            b.rows(
                np.r_[rr, rr, rr[1:]],
                np.r_[v, z[:, k], z[:-1, k]],
                np.r_[np.ones(t_len), -np.ones(t_len), np.ones(t_len - 1)],
                0,
                np.inf,
            )
            b.rows(np.zeros(t_len), v, 1.0, -np.inf, 1.0)
    return n


def solve_lp(
    curves: ResponseCurves,
    problem: AllocationProblem,
    rows: LinearRows,
    roas_rules: tuple[tuple[int | None, float], ...] = (),
    *,
    pieces: int = 24,
    scenarios: int = 30,
    solver: str = "cbc",
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    dense: np.ndarray | None = None,
    piece_tol: float = PIECE_TOL,
    relax_toes: bool = False,
) -> LPSolution:
    """Solve the piecewise-linear model of the problem.

    Parameters
    ----------
    curves : ResponseCurves
    problem : AllocationProblem
    rows : LinearRows
        The problem's linear constraints, bounds and no-restart rule.
    roas_rules : tuple of (int or None, float)
        Minimum ROAS per channel index (None: overall), from :func:`resolve`.
    pieces : int
        Largest number of linear pieces per curve.
    scenarios : int
        Posterior samples modelled one by one for ``quantile`` and ``cvar`` risk (chosen with
        ``problem.seed``); the posterior mean uses the sample-mean curve instead.
    solver : {"cbc", "highs"}
        MILP solver (LPs run in HiGHS).
    time_limit : float
        Seconds.
    mip_gap : float
        Relative optimality gap at which the MILP stops.
    dense : numpy.ndarray or None
        A previous plan (T, C): add ``DENSE`` breakpoints over the range of its adstocked spend
        in each channel (and span: horizon, tail). The model stays an over-estimator (its bound
        stays valid) and becomes tight where the plan is.
    piece_tol : float
        Chord error at which no more pieces are placed, relative to the weekly run-rate revenue
        of all channels (0: always ``pieces``).
    relax_toes : bool
        Model S-shaped pieces by their concave hull and the no-restart on/off variables as
        continuous (no binaries; a relaxation, so the bound stays valid). ``LPSolution.exact``
        then says whether the plan sits where the hull equals the pieces and meets the
        no-restart rule as it is, i.e. whether it also solves the model with binaries.

    Returns
    -------
    LPSolution

    Raises
    ------
    InfeasibleError
        The solver proves the model infeasible (typically minimum ROAS / maximum CPA rules).
    """
    t0 = time.perf_counter()
    c_len = len(curves.channels)
    t_len = rows.lo.size // c_len  # horizon plus any tail weeks
    a_coef, b_coef = problem.value_coefficients
    risk = problem.risk
    if risk.kind == "mean":
        # one representative curve per channel: sample-mean weights, sample-mean response
        scen_w = curves.weights.mean(axis=0, keepdims=True)  # (1, C, L)
        groups = [np.arange(curves.n_samples)]
        one = curves.subset(slice(0, 1))
        carry = ResponseCurves(
            one.channels, scen_w, one.saturation, one.params, one.beta, one.history, one.current
        ).adstock(np.zeros((t_len, c_len)))  # (1, T, C)
    else:
        rng = np.random.default_rng(problem.seed)
        k = min(scenarios, curves.n_samples)
        pick = np.sort(rng.choice(curves.n_samples, size=k, replace=False))
        scen_w = curves.weights[pick]
        groups = [np.asarray([i]) for i in pick]
        carry = curves.subset(pick).adstock(np.zeros((t_len, c_len)))
    n_groups = len(groups)
    lags = scen_w.shape[2]
    homogeneous = bool(np.allclose(curves.weights, curves.weights[:1], atol=1e-9))
    hi = rows.hi.reshape(t_len, c_len)
    ww = problem.weights_for(t_len)
    week_w = np.ones(t_len) if ww is None else ww
    # a weight of 1e-12 is worth nothing but puts coefficients below the solver's zero
    # tolerance into the scenario rows (CVaR, quantile), which then read as infeasible
    week_w = np.where(week_w < 1e-9, 0.0, week_w)
    # chord error tolerance: a share of the weekly revenue at the run-rate (all channels)
    level_rev = float(curves.steady_state(curves.current).mean(axis=0).sum())
    tol_abs = piece_tol * max(level_rev, 1e-9) / max(c_len, 1)

    b = ModelBuilder()
    x = b.cols(rows.lo, rows.hi)
    xg = x.reshape(t_len, c_len)
    # pairs (week t, plan week t - l, lag l) of the adstock convolution
    tt, ll = np.meshgrid(np.arange(t_len), np.arange(lags), indexing="ij")
    keep = ll <= tt
    conv_t, conv_l = tt[keep], ll[keep]
    n_bin = 0
    shift_total = 0.0
    # per scenario group: revenue terms (columns, coefficients) and constants
    rev_cols: list[list[np.ndarray]] = [[] for _ in range(n_groups)]
    rev_coef: list[list[np.ndarray]] = [[] for _ in range(n_groups)]
    val_coef: list[list[np.ndarray]] = [[] for _ in range(n_groups)]
    rev_const = np.zeros(n_groups)
    val_const = np.zeros(n_groups)
    chan_cols: list[list[np.ndarray]] = [[] for _ in range(c_len)]
    chan_coef: list[list[np.ndarray]] = [[] for _ in range(c_len)]
    chan_const = np.zeros(c_len)
    lo_plan = rows.lo.reshape(t_len, c_len)
    n_plan = problem.n_weeks
    spans = [(0, n_plan)] + ([(n_plan, t_len)] if t_len > n_plan else [])
    bridged: list[tuple] = []  # S-shaped pieces replaced by their hull
    for k, members in enumerate(groups):
        for c, kind in enumerate(curves.saturation):
            w_full = scen_w[k, c]
            p_kc, beta_kc = curves.params[members, c], curves.beta[members, c]
            # weights the solver would drop are left out of the rows; the most they can add
            # (with the highest plan) is added to the carry-over, so that the model's adstock
            # is what the solver reads and at least the exact one (the curves increase: the
            # pieces stay over-estimators)
            w = np.where(np.abs(w_full) < _W_ZERO, 0.0, w_full)
            base = carry[k, :, c]
            if np.any(w != w_full):
                base = base + np.convolve(hi[:, c], w_full - w)[:t_len]
            # the adstocked spend of the lowest and the highest plan the bounds allow
            low = base + np.convolve(lo_plan[:, c], w)[:t_len]
            high = base + np.convolve(hi[:, c], w)[:t_len]
            level = max(float(curves.history[:, c].max(initial=0.0)), float(curves.current[c]))
            focus = focus_level(kind, p_kc, level)
            for first, end_ in spans:
                # one set of pieces per span (horizon, tail) on [lowest, highest] adstock, a
                # hair wider (_REACH): no piece below what any plan reaches (fewer pieces,
                # often no convex toe)
                top = float(high[first:end_].max())
                reach = _REACH * max(1.0, abs(top))
                a0 = float(low[first:end_].min()) - reach
                top += reach
                extra = None
                if dense is not None:
                    at = base[first:end_] + np.convolve(dense[:, c], w)[first:end_]
                    lo_d, hi_d = max(float(at.min()) * 0.97, a0), float(at.max()) * 1.03
                    extra = np.linspace(lo_d, max(hi_d, lo_d), DENSE)
                bp, slopes, start, shift = pieces_of(
                    kind,
                    p_kc,
                    beta_kc,
                    top,
                    focus,
                    pieces,
                    tol_abs,
                    lo=a0,
                    extra=extra,
                )
                a0 = float(bp[0])
                if (n_groups > 1 or relax_toes) and np.any(np.diff(slopes) > 0):
                    # scenario models (quantile, CVaR): S-curves by their concave envelope, so
                    # that no binaries multiply with the scenarios; SLSQP then works on the
                    # exact curves. relax_toes: the same, checked below
                    hull = concave_hull(bp, slopes, start)
                    bridged.append((k, c, first, end_, bp, slopes, start, *hull))
                    bp, slopes = hull
                shift_total += shift * float(week_w[first:end_].sum()) / n_groups
                per_week = [(np.diff(bp), slopes)] * (end_ - first)
                start_t = start
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
                    rev_cols[k].append(d.ravel())
                    rev_coef[k].append(coef)
                    val_coef[k].append(a_coef * wcoef)
                    rev_const[k] += start_t * nw
                    val_const[k] += a_coef * start_t * float(week_w[weeks].sum())
                    chan_cols[c].append(d.ravel())
                    chan_coef[c].append(coef / n_groups)
                    chan_const[c] += start_t * nw / n_groups
                    n_bin += _fill_order(b, d, lengths, sl)
    spend_cost = -b_coef
    if risk.kind == "mean":
        b.cost(x, spend_cost)
        for cols, coefs in zip(rev_cols[0], val_coef[0], strict=True):
            b.cost(cols, coefs)
        b.offset = float(val_const[0])
    elif risk.kind == "cvar":
        eta = b.cols(-np.inf, np.inf)
        u = b.cols(0.0, np.inf, n_groups)
        for k in range(n_groups):
            # u_k - eta + v_k >= 0 with v_k = sum(val d) + const - b * spend
            cols = np.concatenate([u[k : k + 1], eta, *rev_cols[k], x])
            vals = np.concatenate([[1.0, -1.0], *val_coef[k], np.full(x.size, spend_cost)])
            b.rows(np.zeros(cols.size), cols, vals, -val_const[k], np.inf, count=1)
        b.cost(eta, 1.0)
        b.cost(u, -1.0 / (risk.level * n_groups))
    else:  # quantile: at least K - k + 1 scenarios at or above eta
        kk = max(1, int(np.ceil(risk.level * n_groups - 1e-9)))
        big = a_coef * float(curves.beta.max()) * c_len * t_len + b_coef * float(rows.rhs[0]) + 1.0
        eta = b.cols(-np.inf, np.inf)
        z = b.cols(0.0, 1.0, n_groups, integer=True)
        for k in range(n_groups):
            # eta - v_k + big z_k <= big
            cols = np.concatenate([eta, z[k : k + 1], *rev_cols[k], x])
            vals = np.concatenate(
                [[1.0, big], *[-v for v in val_coef[k]], np.full(x.size, -spend_cost)]
            )
            b.rows(np.zeros(cols.size), cols, vals, -np.inf, big + val_const[k], count=1)
        b.rows(np.zeros(n_groups), z, 1.0, n_groups - kk + 1, np.inf, count=1)
        b.cost(eta, 1.0)
        n_bin += n_groups

    add_linear_rows(b, rows, x)
    for ci, rho in roas_rules:
        if ci is None:
            # mean revenue - rho * spend >= 0
            cols = np.concatenate([*(c for k in range(n_groups) for c in rev_cols[k]), x])
            vals = np.concatenate(
                [
                    *(v / n_groups for k in range(n_groups) for v in rev_coef[k]),
                    np.full(x.size, -rho),
                ]
            )
            const = float(rev_const.mean())
        else:
            cols = np.concatenate([*chan_cols[ci], xg[:, ci]])
            vals = np.concatenate([*chan_coef[ci], np.full(t_len, -rho)])
            const = float(chan_const[ci])
        b.rows(np.zeros(cols.size), cols, vals, -const, np.inf, count=1)
    shape_bins = n_bin
    if rows.onoff is not None:
        # relax_toes: the on/off variables continuous too (a relaxation); checked below
        onoff_vars = _add_onoff(b, rows.onoff, xg, hi, relax=relax_toes)
        n_bin += 0 if relax_toes else onoff_vars

    model = b.build()
    out = run_model(model, solver, time_limit, mip_gap)
    if out.status == "infeasible":
        raise InfeasibleError(_infeasible_message(problem, rows))
    if out.x is None or out.objective is None:
        raise InfeasibleError(f"The LP solver stopped with status '{out.status}' and no plan.")
    plan = np.maximum(out.x[x].reshape(t_len, c_len), 0.0)
    exact = True
    if relax_toes and bridged:
        gap = 0.0
        for k, c, first, end_, bp0, sl0, st0, bph, slh in bridged:
            a = carry[k, first:end_, c] + np.convolve(plan[:, c], scen_w[k, c])[first:end_]
            v0 = st0 + np.concatenate([[0.0], np.cumsum(sl0 * np.diff(bp0))])
            vh = st0 + np.concatenate([[0.0], np.cumsum(slh * np.diff(bph))])
            over = np.interp(a, bph, vh) - np.interp(a, bp0, v0)
            gap += float((np.maximum(over, 0.0) * week_w[first:end_]).sum())
        exact = a_coef * gap <= _BRIDGE_TOL * max(abs(out.objective), 1.0)
    if relax_toes and rows.onoff is not None:
        # the relaxed on/off plan meets the rule as it is: it solves the model with binaries
        exact = exact and rows.onoff.violation(plan) <= 1e-6 * max(float(rows.hi.max()), 1.0)
    bound: float | None = None
    if risk.kind == "mean" and homogeneous and out.bound is not None:
        bound = out.bound + 1e-6 * max(1.0, abs(out.bound)) + a_coef * shift_total
    return LPSolution(
        plan=plan,
        model_value=out.objective,
        bound=bound,
        mip=n_bin > 0,
        n_vars=model.n_cols,
        n_binaries=n_bin,
        solver=solver if model.n_integer else "highs",
        seconds=time.perf_counter() - t0,
        status=out.status,
        shape_mip=shape_bins > 0,
        exact=exact,
    )


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


def _infeasible_message(problem: AllocationProblem, rows: LinearRows) -> str:
    rules = []
    if problem.min_roas:
        rules.append(f"overall minimum ROAS {problem.min_roas:g}")
    if problem.max_cpa:
        rules.append(f"maximum CPA {problem.max_cpa:,.2f} EUR")
    rules += [
        f"minimum ROAS {r.min_roas:g} on '{c}'" for c, r in problem.channels.items() if r.min_roas
    ]
    mode = BudgetMode(problem.budget_mode).value
    if not rules:
        extra = []
        if any(n.startswith("week change") for n in rows.names):
            extra.append("week-to-week change limits")
        if rows.onoff is not None:
            extra.append("the no-restart rule")
        what = " and ".join(["the caps and bounds", *extra])
        return (
            f"No plan meets {what} with a budget of {problem.budget:,.0f} EUR ({mode}); relax "
            "max_week_change, a cap or a bound, or set no_restart = false for a channel."
        )
    what = ", ".join(rules)
    return (
        f"No plan meets {what} with a budget of {problem.budget:,.0f} EUR ({mode}); the response "
        "curves cannot earn that much at this spend. Lower the ROAS/CPA requirement, lower the "
        "budget or use budget mode up_to."
    )
