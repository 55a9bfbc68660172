"""The linear part of an allocation problem as named matrix rows on the flattened plan.

The plan ``x`` of shape (T, C) is flattened row-major (``x[t, c]`` at ``t * C + c``). Every row is
``coef @ x (<= or ==) rhs`` with a human-readable name, so that both solvers share one
definition and binding constraints can be explained by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.allocation.problem import Resolved

__all__ = ["LinearRows", "linear_rows"]


@dataclass(frozen=True, eq=False)
class LinearRows:
    """Named linear constraints on the flattened plan.

    Attributes
    ----------
    names : tuple of str
        One per row.
    matrix : numpy.ndarray
        (R, T*C) coefficients.
    rhs : numpy.ndarray
        (R,) right-hand sides, EUR.
    equality : numpy.ndarray
        (R,) bool, ``==`` rows (else ``<=``).
    lo, hi : numpy.ndarray
        Variable bounds, (T*C,), EUR; ``hi`` is finite.
    """

    names: tuple[str, ...]
    matrix: np.ndarray
    rhs: np.ndarray
    equality: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def slack(self, x: np.ndarray) -> np.ndarray:
        """``rhs - coef @ x`` per row (>= 0 when satisfied), EUR."""
        return self.rhs - self.matrix @ np.ravel(x)

    def violation(self, x: np.ndarray) -> float:
        """Largest violation of any row or bound, EUR (0 when feasible)."""
        x = np.ravel(x)
        s = self.slack(x)
        viol = np.where(self.equality, np.abs(s), np.maximum(-s, 0.0))
        parts = [
            viol.max(initial=0.0),
            (self.lo - x).max(initial=0.0),
            (x - self.hi).max(initial=0),
        ]
        return float(max(parts))


def linear_rows(res: Resolved) -> LinearRows:
    """Build the rows of a resolved problem (budget, channel totals, weekly and monthly caps)."""
    t_len, c_len = res.lo.shape
    n = t_len * c_len
    names: list[str] = []
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    eq: list[bool] = []

    def add(name: str, coef: np.ndarray, b: float, is_eq: bool = False) -> None:
        names.append(name)
        rows.append(coef.ravel())
        rhs.append(float(b))
        eq.append(is_eq)

    add("budget", np.ones(n), res.budget, res.exact)
    for c in range(c_len):
        m = np.zeros((t_len, c_len))
        m[:, c] = 1.0
        if (res.lo[:, c] == res.hi[:, c]).all():
            continue  # a fixed channel: the per-week bounds already pin its total
        if res.tot_lo[c] > 0:
            add(f"channel {c} minimum", -m, -res.tot_lo[c])
        if np.isfinite(res.tot_hi[c]):
            add(f"channel {c} maximum", m, res.tot_hi[c])
    for t in range(t_len):
        if np.isfinite(res.week_cap[t]):
            m = np.zeros((t_len, c_len))
            m[t, :] = 1.0
            add(f"weekly cap {t}", m, res.week_cap[t])
    for month, weeks, cap in res.month_groups:
        m = np.zeros((t_len, c_len))
        m[list(weeks), :] = 1.0
        add(f"monthly cap {month}", m, cap)
    return LinearRows(
        names=tuple(names),
        matrix=np.vstack(rows),
        rhs=np.asarray(rhs),
        equality=np.asarray(eq, bool),
        lo=res.lo.ravel().copy(),
        hi=np.maximum(res.finite_hi(), res.lo).ravel(),  # round-off must not cross the box
    )
