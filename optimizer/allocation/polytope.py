"""The linear part of an allocation problem as named sparse rows on the flattened plan.

The plan ``x`` of shape (T, C) is flattened row-major (``x[t, c]`` at ``t * C + c``). Every row is
``coef @ x (<= or ==) rhs`` with a human-readable name, so that every solver shares one
definition and binding constraints can be explained by name. The matrix is a SciPy sparse CSR
array: week-to-week limits alone give 2 T C rows of two entries each (5,200 rows for 50 channels
over 52 weeks), which a dense (R, T*C) matrix would hold as 13.5 M numbers.

The no-restart rule is not linear (a channel's weeks *on* must form one block); it is carried
by :class:`OnOff`, which the MILP models with binaries, the nonlinear refinement with the on/off
pattern of its start plan fixed, and which :meth:`LinearRows.violation` checks on any plan.

Row names (parsed by :mod:`optimizer.allocation.explain`):

* ``budget``; ``channel <c> minimum`` / ``channel <c> maximum`` (horizon totals);
* ``group <g> minimum`` / ``group <g> maximum``: the horizon total of channel group ``g``;
* ``weekly cap <t>``; ``monthly cap <YYYY-MM>``;
* ``week change <c> <t> up`` / ``week change <c> <t> down``: ``x[t, c] - x[t-1, c]`` at most
  the channel's limit up or down (``x[-1, c]`` is the run-rate).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from optimizer.allocation.resolve import Resolved

__all__ = ["LinearRows", "OnOff", "linear_rows"]


@dataclass(frozen=True, eq=False)
class OnOff:
    """The no-restart rule on some channels (weeks of the horizon only).

    A week is *off* at 0 EUR and *on* from the channel's on-level; spend in between is not
    allowed. The weeks on form at most one block, which starts in the first week when the
    channel was on in the last history week (it may only be switched off, once).

    Attributes
    ----------
    channels : numpy.ndarray
        Channel indices under the rule (int, (K,)).
    level : numpy.ndarray
        On-level per week and rule channel, (T, K) EUR per week (capped by the week's maximum).
    was_on : numpy.ndarray
        Whether each rule channel spent in the last history week, bool (K,).
    n_plan : int
        Horizon weeks T (rows of the flattened plan beyond it are tail weeks).
    n_channels : int
        C, to index the flattened plan.
    """

    channels: np.ndarray
    level: np.ndarray
    was_on: np.ndarray
    n_plan: int
    n_channels: int

    def pattern(self, x: np.ndarray, tol: float = 0.0) -> np.ndarray:
        """Weeks on per rule channel, bool (T, K): spend above ``tol`` EUR."""
        plan = np.ravel(x).reshape(-1, self.n_channels)[: self.n_plan, self.channels]
        return plan > tol

    def violation(self, x: np.ndarray, tol: float = 1e-6) -> float:
        """Largest breach, EUR: spend strictly between 0 and the on-level, or a restart's spend.

        A restart (a week on after a week off that followed a week on, the last history week
        counting as the week before the horizon) counts with the spend of the restarting week.
        """
        if not len(self.channels):
            return 0.0
        plan = np.ravel(x).reshape(-1, self.n_channels)[: self.n_plan, self.channels]
        on = plan > tol
        between = np.where(on, np.maximum(self.level - plan, 0.0), 0.0)
        worst = float(between.max(initial=0.0))
        # seen[t] (t = 0..T): on in the last history week or some horizon week before week t
        seen = np.logical_or.accumulate(np.vstack([self.was_on[None, :], on]), axis=0)
        off_after_on = ~on & seen[:-1]
        flag = np.logical_or.accumulate(off_after_on, axis=0)
        restart = on & np.vstack([np.zeros_like(flag[:1]), flag[:-1]])
        return max(worst, float(np.where(restart, plan, 0.0).max(initial=0.0)))

    def restarts(self, x: np.ndarray, tol: float = 1e-6) -> list[tuple[int, int]]:
        """``(channel index, week)`` of every restart in a plan (see :meth:`violation`)."""
        out = []
        plan = np.ravel(x).reshape(-1, self.n_channels)[: self.n_plan, self.channels]
        for k, c in enumerate(self.channels.tolist()):
            state, off_after_on = bool(self.was_on[k]), False
            for t in range(self.n_plan):
                on = bool(plan[t, k] > tol)
                if on and off_after_on:
                    out.append((c, t))
                if not on and state:
                    off_after_on = True
                state = state or on
        return out


@dataclass(frozen=True, eq=False)
class LinearRows:
    """Named linear constraints on the flattened plan.

    Attributes
    ----------
    names : tuple of str
        One per row.
    matrix : scipy.sparse.csr_array
        (R, T*C) coefficients.
    rhs : numpy.ndarray
        (R,) right-hand sides, EUR.
    equality : numpy.ndarray
        (R,) bool, ``==`` rows (else ``<=``).
    lo, hi : numpy.ndarray
        Variable bounds, (T*C,), EUR; ``hi`` is finite.
    onoff : OnOff or None
        The no-restart rule, when some channel is under it.
    """

    names: tuple[str, ...]
    matrix: sp.csr_array
    rhs: np.ndarray
    equality: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    onoff: OnOff | None = None

    def slack(self, x: np.ndarray) -> np.ndarray:
        """``rhs - coef @ x`` per row (>= 0 when satisfied), EUR."""
        return self.rhs - self.matrix @ np.ravel(x)

    def violation(self, x: np.ndarray) -> float:
        """Largest violation of any row, bound or the no-restart rule, EUR (0 when feasible)."""
        x = np.ravel(x)
        s = self.slack(x)
        viol = np.where(self.equality, np.abs(s), np.maximum(-s, 0.0))
        parts = [
            viol.max(initial=0.0),
            (self.lo - x).max(initial=0.0),
            (x - self.hi).max(initial=0),
        ]
        if self.onoff is not None:
            parts.append(self.onoff.violation(x))
        return float(max(parts))

    def with_pattern(self, x: np.ndarray, tol: float = 1e-6) -> LinearRows:
        """These rows with the on/off pattern of plan ``x`` fixed: bounds instead of the rule.

        Weeks off get a maximum of 0 EUR and weeks on a minimum of the on-level, so that a local
        method started at ``x`` keeps its (rule-abiding) pattern. Without the rule: ``self``.
        """
        if self.onoff is None:
            return self
        oo = self.onoff
        on = oo.pattern(x, tol)
        c_len = oo.n_channels
        t_idx, k_idx = np.nonzero(np.ones_like(on))
        flat = t_idx * c_len + oo.channels[k_idx]
        lo, hi = self.lo.copy(), self.hi.copy()
        on_f = on[t_idx, k_idx]
        lo[flat[on_f]] = np.maximum(lo[flat[on_f]], oo.level[t_idx, k_idx][on_f])
        hi[flat[~on_f]] = 0.0
        lo[flat[~on_f]] = 0.0
        hi = np.maximum(hi, lo)
        return replace(self, lo=lo, hi=hi, onoff=None)

    def relaxed(self) -> LinearRows:
        """These rows without the no-restart rule.

        A relaxation: every plan meeting the rule meets these rows.
        """
        return self if self.onoff is None else replace(self, onoff=None)


@dataclass(eq=False)
class _RowBlocks:
    """Named rows ``A x <= b`` (or ``=``) on the plan's ``n`` cells, collected block by block."""

    n: int
    names: list[str] = field(default_factory=list)
    blocks: list[sp.coo_array] = field(default_factory=list)
    rhs: list[np.ndarray] = field(default_factory=list)
    eq: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        block_names: list[str],
        cols: list[np.ndarray],
        vals: list[np.ndarray],
        b: np.ndarray | float,
    ) -> None:
        """Rows ``i`` with entries ``vals[k][i]`` at ``cols[k][i]`` (one entry per k and row)."""
        m = len(block_names)
        if not m:
            return
        r = np.concatenate([np.arange(m)] * len(cols))
        self.blocks.append(
            sp.coo_array((np.concatenate(vals), (r, np.concatenate(cols))), shape=(m, self.n))
        )
        self.names.extend(block_names)
        self.rhs.append(np.broadcast_to(np.asarray(b, float), (m,)).copy())
        self.eq.append(np.zeros(m, bool))

    def add_dense(self, name: str, coef: np.ndarray, b: float, is_eq: bool = False) -> None:
        """One row ``coef @ x <= b`` (``= b`` when ``is_eq``) from a dense (T, C) ``coef``."""
        flat = coef.ravel()
        nz = np.nonzero(flat)[0]
        self.blocks.append(
            sp.coo_array((flat[nz], (np.zeros(len(nz), int), nz)), shape=(1, self.n))
        )
        self.names.append(name)
        self.rhs.append(np.array([float(b)]))
        self.eq.append(np.array([is_eq]))


def linear_rows(res: Resolved) -> LinearRows:
    """Build the rows of a resolved problem.

    Budget, channel totals, weekly and monthly caps, week-to-week limits; the variable bounds
    are the implied per-week bounds (``Resolved.chain_lo`` / ``finite_hi``).
    """
    t_len, c_len = res.lo.shape
    n = t_len * c_len
    rows = _RowBlocks(n)
    rows.add_dense("budget", np.ones(n), res.budget, res.exact)
    _total_rows(rows, res)
    _week_change_rows(rows, res)
    matrix = sp.vstack(rows.blocks, format="csr") if rows.blocks else sp.csr_array((0, n))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return LinearRows(
        names=tuple(rows.names),
        matrix=sp.csr_array(matrix),
        rhs=np.concatenate(rows.rhs) if rows.rhs else np.zeros(0),
        equality=np.concatenate(rows.eq) if rows.eq else np.zeros(0, bool),
        lo=res.chain_lo.ravel().copy(),
        hi=np.maximum(res.finite_hi(), res.chain_lo).ravel(),  # round-off must not cross the box
        onoff=_onoff(res),
    )


def _total_rows(rows: _RowBlocks, res: Resolved) -> None:
    """Channel and group totals, weekly and monthly caps."""
    t_len, c_len = res.lo.shape
    for c in range(c_len):
        m = np.zeros((t_len, c_len))
        m[:, c] = 1.0
        if (res.lo[:, c] == res.hi[:, c]).all():
            continue  # a fixed channel: the per-week bounds already pin its total
        if res.tot_lo[c] > 0:
            rows.add_dense(f"channel {c} minimum", -m, -res.tot_lo[c])
        if np.isfinite(res.tot_hi[c]):
            rows.add_dense(f"channel {c} maximum", m, res.tot_hi[c])
    for g, (_, members, g_lo, g_hi) in enumerate(res.groups):
        m = np.zeros((t_len, c_len))
        m[:, list(members)] = 1.0
        if g_lo > 0:
            rows.add_dense(f"group {g} minimum", -m, -g_lo)
        if np.isfinite(g_hi):
            rows.add_dense(f"group {g} maximum", m, g_hi)
    for t in range(t_len):
        if np.isfinite(res.week_cap[t]):
            m = np.zeros((t_len, c_len))
            m[t, :] = 1.0
            rows.add_dense(f"weekly cap {t}", m, res.week_cap[t])
    for month, weeks, cap in res.month_groups:
        m = np.zeros((t_len, c_len))
        m[list(weeks), :] = 1.0
        rows.add_dense(f"monthly cap {month}", m, cap)


def _week_change_rows(rows: _RowBlocks, res: Resolved) -> None:
    """Week-to-week limits: ``x[t] - x[t-1] <= d`` and ``x[t-1] - x[t] <= d`` (x[-1]: run-rate)."""
    c_len = res.lo.shape[1]
    limited = np.nonzero(np.isfinite(res.week_change))[0]
    if not len(limited):
        return
    tt = np.repeat(np.arange(res.n_plan), len(limited))
    cc = np.tile(limited, res.n_plan)
    d = res.week_change[cc]
    cur = tt * c_len + cc
    first = tt == 0
    prev = np.where(first, cur, (tt - 1) * c_len + cc)
    start = np.where(first, res.start_level[cc], 0.0)
    # week 0 rows hold one entry (the run-rate moves to the right-hand side)
    v_prev = np.where(first, 0.0, -1.0)
    for sign, word in ((1.0, "up"), (-1.0, "down")):
        labels = [f"week change {c} {t} {word}" for t, c in zip(tt, cc, strict=True)]
        rows.add(
            labels,
            [cur, prev],
            [np.full(len(cur), sign), sign * v_prev],
            d + sign * start,
        )


def _onoff(res: Resolved) -> OnOff | None:
    chans = res.restart_channels()
    if not len(chans):
        return None
    hi = res.finite_hi()[: res.n_plan, chans]
    level = np.minimum(res.on_level[chans][None, :], hi)
    return OnOff(
        channels=chans,
        level=level,
        was_on=res.was_on[chans].copy(),
        n_plan=res.n_plan,
        n_channels=res.lo.shape[1],
    )
