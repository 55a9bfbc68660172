"""Sparse (MI)LP models built as arrays: :class:`ModelBuilder` collects, :class:`SparseModel` holds.

The allocation models are built column block by row block as index and value arrays and turned
into one SciPy sparse matrix, without a modelling layer; :mod:`optimizer.allocation.backend`
hands them to a solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["ModelBuilder", "SparseModel"]


@dataclass(frozen=True, eq=False)
class SparseModel:
    """``max cost @ v + offset`` s.t. ``row_lo <= A v <= row_hi``, ``col_lo <= v <= col_hi``.

    Attributes
    ----------
    cost, col_lo, col_hi : numpy.ndarray
        (n,) objective coefficients and variable bounds (``inf`` allowed).
    integer : numpy.ndarray
        (n,) bool: binary/integer variables.
    matrix : scipy.sparse.csc_array
        (m, n) constraint matrix.
    row_lo, row_hi : numpy.ndarray
        (m,) row bounds (``-inf``/``inf`` allowed).
    offset : float
        Objective constant.
    """

    cost: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray
    matrix: sp.csc_array
    row_lo: np.ndarray
    row_hi: np.ndarray
    offset: float = 0.0

    @property
    def n_cols(self) -> int:
        """Variables."""
        return int(self.cost.size)

    @property
    def n_integer(self) -> int:
        """Integer variables."""
        return int(self.integer.sum())


@dataclass
class ModelBuilder:
    """Collects columns and rows as arrays; :meth:`build` makes the :class:`SparseModel`."""

    _lo: list[np.ndarray] = field(default_factory=list)
    _hi: list[np.ndarray] = field(default_factory=list)
    _int: list[np.ndarray] = field(default_factory=list)
    _cost_idx: list[np.ndarray] = field(default_factory=list)
    _cost_val: list[np.ndarray] = field(default_factory=list)
    _r: list[np.ndarray] = field(default_factory=list)
    _c: list[np.ndarray] = field(default_factory=list)
    _v: list[np.ndarray] = field(default_factory=list)
    _rlo: list[np.ndarray] = field(default_factory=list)
    _rhi: list[np.ndarray] = field(default_factory=list)
    n: int = 0
    m: int = 0
    offset: float = 0.0

    def cols(
        self,
        lo: np.ndarray | float,
        hi: np.ndarray | float,
        size: int | None = None,
        *,
        integer: bool = False,
    ) -> np.ndarray:
        """Add variables with bounds; returns their indices."""
        lo_a = np.atleast_1d(np.asarray(lo, float))
        k = int(size if size is not None else np.broadcast(lo_a, np.atleast_1d(hi)).size)
        lo_a = np.broadcast_to(lo_a, (k,)).astype(float)
        hi_a = np.broadcast_to(np.atleast_1d(np.asarray(hi, float)), (k,)).astype(float)
        self._lo.append(lo_a)
        self._hi.append(hi_a)
        self._int.append(np.full(k, integer))
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def cost(self, idx: np.ndarray, coef: np.ndarray | float) -> None:
        """Add ``coef`` to the objective coefficients of ``idx`` (repeats add up)."""
        idx = np.atleast_1d(idx)
        self._cost_idx.append(idx)
        self._cost_val.append(np.broadcast_to(np.asarray(coef, float), idx.shape).copy())

    def rows(
        self,
        r: np.ndarray,
        c: np.ndarray,
        v: np.ndarray | float,
        lo: np.ndarray | float,
        hi: np.ndarray | float,
        count: int | None = None,
    ) -> np.ndarray:
        """Add rows from triplets: entry ``v[i]`` at (new row ``r[i]``, column ``c[i]``).

        ``r`` counts from 0 for the first new row; ``count`` rows are added (default
        ``max(r) + 1``), with bounds ``lo``/``hi`` (broadcast). Returns the new row indices.
        """
        r = np.asarray(r, np.int64)
        k = int(count if count is not None else (r.max() + 1 if r.size else 0))
        self._r.append(r + self.m)
        self._c.append(np.asarray(c, np.int64))
        self._v.append(np.broadcast_to(np.asarray(v, float), r.shape).copy())
        self._rlo.append(np.broadcast_to(np.asarray(lo, float), (k,)).copy())
        self._rhi.append(np.broadcast_to(np.asarray(hi, float), (k,)).copy())
        idx = np.arange(self.m, self.m + k)
        self.m += k
        return idx

    def matrix_rows(self, a: sp.sparray, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """Add rows ``lo <= a @ v[cols] <= hi`` for a sparse matrix ``a``."""
        coo = sp.coo_array(a)
        self.rows(coo.row, cols[coo.col], coo.data, lo, hi, count=a.shape[0])

    def build(self) -> SparseModel:
        """The model (duplicate entries add up)."""
        cost = np.zeros(self.n)
        if self._cost_idx:
            np.add.at(cost, np.concatenate(self._cost_idx), np.concatenate(self._cost_val))
        cat = lambda xs, dt=float: np.concatenate(xs) if xs else np.zeros(0, dt)  # noqa: E731
        a = sp.csc_array(
            (cat(self._v), (cat(self._r, np.int64), cat(self._c, np.int64))),
            shape=(self.m, self.n),
        )
        a.sum_duplicates()
        return SparseModel(
            cost=cost,
            col_lo=cat(self._lo),
            col_hi=cat(self._hi),
            integer=cat(self._int, bool),
            matrix=a,
            row_lo=cat(self._rlo),
            row_hi=cat(self._rhi),
            offset=self.offset,
        )
