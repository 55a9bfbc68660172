"""Per-SKU demand estimates: elasticity and baseline weekly units, with posterior draws.

:class:`Elasticities` is what the optimizer consumes. It comes from
:class:`~optimizer.pricing.elasticity.ElasticityModel` (PyMC fit), from a file written by
``optimizer pricing fit``, or directly from numbers (:meth:`Elasticities.from_values`), so that
optimizer tests need no sampling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import DataError

__all__ = ["ELASTICITY_COLUMNS", "Elasticities"]

#: Columns of ``elasticities.csv`` (besides ``sku``); fits also write the optional
#: ``category_interval_width``.
ELASTICITY_COLUMNS = (
    "category",
    "current_price",
    "elasticity_mean",
    "elasticity_low",
    "elasticity_high",
    "baseline_units",
    "price_variation",
    "weakly_identified",
)


@dataclass(frozen=True, eq=False)
class Elasticities:
    """Demand estimates per SKU.

    Demand of SKU ``s`` in a week with demand multiplier ``m`` at price ``p`` (incl. VAT) is
    ``baseline_units_s * (p / current_price_s) ** elasticity_s * m`` units.

    Attributes
    ----------
    frame : pandas.DataFrame
        Indexed by ``sku``; columns :data:`ELASTICITY_COLUMNS`: ``current_price`` (EUR incl.
        VAT, the price ``baseline_units`` refers to), ``elasticity_mean`` and the 90 % interval
        ``elasticity_low``/``elasticity_high`` (dimensionless, negative),
        ``baseline_units`` (expected units per average week at ``current_price``),
        ``price_variation`` (std of log price paid in the history), ``weakly_identified``
        (bool: the data barely inform the elasticity, the estimate is mostly the category
        prior). Optional: ``category_interval_width`` (width of the 90 % interval of the
        SKU's category predictive distribution, i.e. of its elasticity without its own data;
        written by :class:`~optimizer.pricing.elasticity.ElasticityModel`, used to bound price
        changes by identification, see :func:`~optimizer.pricing.safe.identification_bounds`).
    elasticity_draws : numpy.ndarray or None
        Posterior draws, shape ``(n_draws, n_skus)`` aligned with ``frame.index``.
    baseline_draws : numpy.ndarray or None
        Posterior draws of ``baseline_units``, same shape.
    method : str
        How the estimates were made (``"nuts"``, ``"advi"`` (approximate), ``"given"``).
    diagnostics : dict
        Sampler diagnostics (max R-hat, min ESS, divergences, seconds), JSON-ready.
    """

    frame: pd.DataFrame
    elasticity_draws: np.ndarray | None = None
    baseline_draws: np.ndarray | None = None
    method: str = "given"
    diagnostics: dict | None = None

    def __post_init__(self) -> None:
        missing = [c for c in ELASTICITY_COLUMNS if c not in self.frame.columns]
        if missing:
            raise DataError(f"elasticities: missing column(s) {missing}; re-run the fit.")
        e = self.frame["elasticity_mean"].to_numpy(float)
        b = self.frame["baseline_units"].to_numpy(float)
        if not np.isfinite(e).all() or not np.isfinite(b).all() or (b < 0).any():
            raise DataError("elasticities: NaN/infinite elasticity or negative baseline units.")
        for d in (self.elasticity_draws, self.baseline_draws):
            if d is not None and (d.ndim != 2 or d.shape[1] != len(self.frame)):
                raise DataError(
                    f"elasticities: draws have shape {d.shape}, expected (n_draws, "
                    f"{len(self.frame)})."
                )

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def skus(self) -> pd.Index:
        """SKU identifiers."""
        return self.frame.index

    @classmethod
    def from_values(
        cls,
        elasticity: pd.Series,
        baseline_units: pd.Series,
        current_price: pd.Series,
        *,
        category: pd.Series | None = None,
        spread: float = 0.0,
    ) -> Elasticities:
        """Build estimates from known numbers (tests, other estimators, the demo truth).

        Parameters
        ----------
        elasticity : pandas.Series
            Elasticity per SKU (negative).
        baseline_units : pandas.Series
            Units per week at ``current_price``.
        current_price : pandas.Series
            Price incl. VAT (EUR) the baseline refers to.
        category : pandas.Series, optional
            Category per SKU.
        spread : float
            Half-width of the reported 90 % interval (no draws are kept).

        Returns
        -------
        Elasticities
        """
        idx = elasticity.index
        frame = pd.DataFrame(
            {
                "category": (category.reindex(idx) if category is not None else "all"),
                "current_price": current_price.reindex(idx).to_numpy(float),
                "elasticity_mean": elasticity.to_numpy(float),
                "elasticity_low": elasticity.to_numpy(float) - spread,
                "elasticity_high": elasticity.to_numpy(float) + spread,
                "baseline_units": baseline_units.reindex(idx).to_numpy(float),
                "price_variation": np.nan,
                "weakly_identified": False,
            },
            index=pd.Index(idx, name="sku"),
        )
        return cls(frame=frame, method="given")

    def subset_draws(self, draws: np.ndarray) -> Elasticities:
        """The same estimates keeping only some posterior draws (e.g. one half of a split).

        Parameters
        ----------
        draws : numpy.ndarray
            Integer indices into the draws (repeats allowed).

        Returns
        -------
        Elasticities
            Same ``frame`` (its summary columns still describe every draw), the selected
            draws; unchanged when there are no draws.
        """
        if self.elasticity_draws is None or self.baseline_draws is None:
            return self
        idx = np.asarray(draws, dtype=int)
        return Elasticities(
            frame=self.frame,
            elasticity_draws=self.elasticity_draws[idx],
            baseline_draws=self.baseline_draws[idx],
            method=self.method,
            diagnostics=self.diagnostics,
        )

    def weekly_units(
        self, skus: pd.Index, prices: np.ndarray, quantile: float | None = None
    ) -> np.ndarray:
        """Expected units per average week at candidate prices.

        Parameters
        ----------
        skus : pandas.Index
            SKUs (rows of ``prices``); all must be estimated.
        prices : numpy.ndarray
            Prices incl. VAT (EUR), shape ``(n_skus, n_points)``; NaN allowed (padding).
        quantile : float, optional
            ``None`` for the posterior mean of expected units; a value in (0, 1) for that
            quantile over posterior draws (e.g. 0.25 to plan on cautious sales, 0.75 to plan
            capacity for strong sales). Needs draws.

        Returns
        -------
        numpy.ndarray
            Units per week, shape ``(n_skus, n_points)``.
        """
        missing = skus.difference(self.frame.index)
        if len(missing):
            raise DataError(
                f"elasticities: no estimate for SKU {missing[0]!r} ({len(missing)} missing); "
                "re-run the fit on a sales history that covers the catalog."
            )
        pos = self.frame.index.get_indexer(skus)
        f = self.frame.iloc[pos]
        rel = prices / f["current_price"].to_numpy(float)[:, None]
        has_draws = self.elasticity_draws is not None and self.baseline_draws is not None
        if not has_draws:
            if quantile is not None:
                raise DataError(
                    "a units quantile needs posterior draws; these estimates have none. Use the "
                    "posterior mean (no quantile) or fit with draws."
                )
            e = f["elasticity_mean"].to_numpy(float)[:, None]
            return f["baseline_units"].to_numpy(float)[:, None] * rel**e
        assert self.elasticity_draws is not None and self.baseline_draws is not None
        out = np.empty_like(rel, dtype=float)
        # chunk over SKUs so that draws x skus x points stays small in memory
        step = max(1, 2_000_000 // max(1, self.elasticity_draws.shape[0] * rel.shape[1]))
        for a in range(0, len(pos), step):
            sl = slice(a, a + step)
            e = self.elasticity_draws[:, pos[sl]][:, :, None]
            b = self.baseline_draws[:, pos[sl]][:, :, None]
            u = b * rel[sl][None] ** e
            out[sl] = u.mean(axis=0) if quantile is None else np.quantile(u, quantile, axis=0)
        return out

    # --- persistence ----------------------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        """Write ``elasticities.csv`` and, when present, ``draws.npz`` into ``folder``."""
        folder = Path(folder)
        out = self.frame.reset_index()
        out["weakly_identified"] = out["weakly_identified"].astype(int)
        out.to_csv(folder / "elasticities.csv", index=False, lineterminator="\n")
        if self.elasticity_draws is not None and self.baseline_draws is not None:
            np.savez_compressed(
                folder / "draws.npz",
                elasticity=self.elasticity_draws.astype(np.float32),
                baseline_units=self.baseline_draws.astype(np.float32),
                sku=np.asarray(self.frame.index, dtype=str),
            )
        meta = {"method": self.method, "diagnostics": self.diagnostics or {}}
        (folder / "elasticities.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> Elasticities:
        """Read estimates written by :meth:`save` (or ``optimizer pricing fit``).

        Raises
        ------
        DataError
            When ``elasticities.csv`` is missing or malformed.
        """
        folder = Path(folder)
        path = folder / "elasticities.csv"
        if not path.is_file():
            raise DataError(
                f"{path}: not found; point --elasticities at the folder written by "
                "'optimizer pricing fit'."
            )
        frame = pd.read_csv(path, dtype={"sku": str, "category": str})
        if "sku" not in frame.columns:
            raise DataError(f"{path}: no 'sku' column; re-run 'optimizer pricing fit'.")
        frame = frame.set_index("sku")
        if "weakly_identified" in frame.columns:
            frame["weakly_identified"] = frame["weakly_identified"].astype(bool)
        e_draws = b_draws = None
        npz = folder / "draws.npz"
        if npz.is_file():
            with np.load(npz, allow_pickle=False) as z:
                if list(z["sku"]) != list(frame.index):
                    raise DataError(f"{npz}: SKUs differ from elasticities.csv; re-run the fit.")
                e_draws = z["elasticity"].astype(float)
                b_draws = z["baseline_units"].astype(float)
        meta_path = folder / "elasticities.json"
        meta = json.loads(meta_path.read_text("utf-8")) if meta_path.is_file() else {}
        return cls(
            frame=frame,
            elasticity_draws=e_draws,
            baseline_draws=b_draws,
            method=str(meta.get("method", "given")),
            diagnostics=meta.get("diagnostics"),
        )
