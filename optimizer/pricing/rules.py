"""Price rules: candidate ladders, French legal floor, Omnibus reference price.

Every candidate price of a SKU satisfies, on the VAT-inclusive price ``p`` (EUR):

* legal floor: ``p / (1 + vat) >= unit_cost`` (no *revente à perte*);
* margin floor: ``(p / (1 + vat) - unit_cost) / (p / (1 + vat)) >= margin_floor``;
* ``min_price <= p <= max_price`` (catalog) and ``p >= min_advertised_price`` (rules);
* ``|p / current - 1| <= max_change`` (or the SKU's tighter ``sku_max_change``);
* ``p`` ends in one of the allowed endings (``x,99``, ``x,90``), except the current price,
  which stays a candidate ("no change") when it meets every other rule;
* every custom rule (:class:`~optimizer.pricing.problem.CustomRule`) allows ``p``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data.catalog import Catalog
from optimizer.data.sales import SalesHistory
from optimizer.errors import ConfigError, InfeasibleError
from optimizer.pricing.problem import CustomRule, PriceRules

__all__ = ["Ladder", "build_ladder", "reference_prices"]

_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class Ladder:
    """Candidate prices per SKU.

    Attributes
    ----------
    skus : pandas.Index
        SKUs, catalog order.
    prices : numpy.ndarray
        Candidate prices incl. VAT (EUR), shape ``(n_skus, n_points)``, ascending per row,
        NaN-padded.
    current : numpy.ndarray
        Index of the current price in each row, or -1 when the current price breaks a rule.
    lower_rule, upper_rule : numpy.ndarray
        Name of the rule that sets the lowest / highest allowed price per SKU.
    lower, upper : numpy.ndarray
        Lowest / highest allowed price incl. VAT per SKU (EUR) before endings.
    """

    skus: pd.Index
    prices: np.ndarray
    current: np.ndarray
    lower_rule: np.ndarray
    upper_rule: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def valid(self) -> np.ndarray:
        """Mask of real candidates (not padding)."""
        return ~np.isnan(self.prices)


def _bounds(
    catalog: Catalog, rules: PriceRules
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    f = catalog.frame
    p0 = f["price_incl_vat"].to_numpy(float)
    vat = f["vat_rate"].to_numpy(float)
    cost = f["unit_cost"].to_numpy(float)
    inf = np.full(len(f), np.inf)
    mp = pd.Series(rules.min_advertised_price, dtype=float).reindex(f.index).to_numpy()
    lower = {
        "legal_floor": cost * (1 + vat),
        "margin_floor": cost / (1 - rules.margin_floor) * (1 + vat),
        "min_price": np.nan_to_num(f["min_price"].to_numpy(float), nan=-np.inf),
        "min_advertised_price": np.nan_to_num(mp, nan=-np.inf),
        "max_change": p0 * (1 - rules.max_change),
    }
    if rules.margin_floor == 0:
        del lower["margin_floor"]
    upper = {
        "max_price": np.nan_to_num(f["max_price"].to_numpy(float), nan=np.inf),
        "max_change": p0 * (1 + rules.max_change),
    }
    upper["max_price"] = np.minimum(upper["max_price"], inf)
    if rules.sku_max_change:
        down, up = _sku_caps(catalog, rules)
        # listed after max_change: where both caps are equal the scalar rule is the one named
        lower["sku_max_change"] = p0 * (1 - down)
        upper["sku_max_change"] = p0 * (1 + up)
    return lower, upper


def _sku_caps(catalog: Catalog, rules: PriceRules) -> tuple[np.ndarray, np.ndarray]:
    """Largest relative cut and rise per SKU: ``min(max_change, sku_max_change[sku])``."""
    idx = catalog.frame.index
    pairs = {
        k: (tuple(v) if isinstance(v, tuple | list) else (v, v))
        for k, v in rules.sku_max_change.items()
    }
    down = pd.Series({k: float(v[0]) for k, v in pairs.items()}, dtype=float).reindex(idx)
    up = pd.Series({k: float(v[-1]) for k, v in pairs.items()}, dtype=float).reindex(idx)
    cap = rules.max_change
    return np.fmin(down.to_numpy(float), cap), np.fmin(up.to_numpy(float), cap)


def _snap(targets: np.ndarray, lo: np.ndarray, hi: np.ndarray, endings: tuple[float, ...]):
    """Nearest price with an allowed ending inside ``[lo, hi]`` for each target (NaN if none)."""
    t = targets
    lo2, hi2 = lo[:, None, None], hi[:, None, None]
    if endings:
        base = np.floor(t)[..., None] + np.array([-1.0, 0.0, 1.0])[None, None, :]
        cand = (base[..., None] + np.asarray(endings)[None, None, None, :]).reshape(
            t.shape[0], t.shape[1], -1
        )
    else:
        cand = np.stack([np.floor(t * 100) / 100, np.ceil(t * 100) / 100], axis=-1)
    cand = np.round(cand, 2)
    ok = (cand >= lo2 - _TOL) & (cand <= hi2 + _TOL) & (cand > 0)
    dist = np.where(ok, np.abs(cand - t[..., None]), np.inf)
    k = dist.argmin(axis=-1)
    out = np.take_along_axis(cand, k[..., None], axis=-1)[..., 0]
    return np.where(np.isfinite(dist.min(axis=-1)), out, np.nan)


def _first_skus(i: np.ndarray, line: Callable[[int], str]) -> str:
    """``line(j)`` for the first five SKU positions in ``i``, joined, and how many more."""
    more = f" (and {len(i) - 5} more SKUs)" if len(i) > 5 else ""
    return "; ".join(line(j) for j in i[:5]) + more


def _check_bounds_meet(
    skus: pd.Index, lo: np.ndarray, hi: np.ndarray, lo_rule: np.ndarray, hi_rule: np.ndarray
) -> None:
    """Raise :class:`InfeasibleError` naming the SKUs whose rules leave no price interval."""
    bad = lo > hi + _TOL
    if bad.any():
        i = np.flatnonzero(bad)
        listed = _first_skus(
            i,
            lambda j: (
                f"SKU {skus[j]!r}: {lo_rule[j]} requires at least {lo[j]:.2f} EUR incl. "
                f"VAT but {hi_rule[j]} allows at most {hi[j]:.2f} EUR"
            ),
        )
        raise InfeasibleError(
            f"price rules leave no price for {len(i)} SKU(s): "
            + listed
            + ". Relax the named rules (lower the margin floor or minimum price, raise "
            "max_price or max_change) or fix the catalog."
        )


def _check_endings_leave_a_price(
    skus: pd.Index, grid: np.ndarray, lo: np.ndarray, hi: np.ndarray, endings: tuple
) -> None:
    """Raise :class:`InfeasibleError` naming the SKUs whose grid the price endings emptied."""
    empty = np.isnan(grid).all(axis=1)
    if empty.any():
        i = np.flatnonzero(empty)
        lines = [
            f"SKU {skus[j]!r}: no price ending in {list(endings)} between {lo[j]:.2f} and "
            f"{hi[j]:.2f} EUR incl. VAT"
            for j in i[:5]
        ]
        raise InfeasibleError(
            f"price endings leave no price for {len(i)} SKU(s): "
            + "; ".join(lines)
            + ". Widen max_change or the min/max prices, or allow more endings."
        )


def build_ladder(catalog: Catalog, rules: PriceRules) -> Ladder:
    """Candidate prices per SKU satisfying every per-SKU rule.

    Parameters
    ----------
    catalog : Catalog
        Current prices (EUR incl. VAT), VAT rates, unit costs (EUR excl. VAT), min/max prices.
    rules : PriceRules
        The rules.

    Returns
    -------
    Ladder
        At most ``rules.n_points`` prices per SKU, evenly spread in log price between the
        lowest and highest allowed price, snapped to the allowed endings, plus the current
        price when it is allowed.

    Raises
    ------
    InfeasibleError
        When the rules leave a SKU without any price; the message names the SKU(s), the
        conflicting rules and their limits.
    """
    lower, upper = _bounds(catalog, rules)
    lo_names, hi_names = list(lower), list(upper)
    lo_mat, hi_mat = np.vstack(list(lower.values())), np.vstack(list(upper.values()))
    lo, hi = lo_mat.max(axis=0), hi_mat.min(axis=0)
    lo_rule = np.asarray(lo_names, dtype=object)[lo_mat.argmax(axis=0)]
    hi_rule = np.asarray(hi_names, dtype=object)[hi_mat.argmin(axis=0)]
    skus = catalog.frame.index
    _check_bounds_meet(skus, lo, hi, lo_rule, hi_rule)
    n_targets = rules.n_points - 1
    frac = np.linspace(0.0, 1.0, n_targets)[None, :]
    p0 = catalog.frame["price_incl_vat"].to_numpy(float)
    # The grid is anchored on the current price and the max_change band only, then cut by the
    # other rules: loosening a floor or a cap only adds candidates (nested ladders), so it can
    # never lower the optimum. SKUs whose band grid the rules cut entirely get a grid spread
    # over their allowed range instead.
    down, up = _sku_caps(catalog, rules) if rules.sku_max_change else (rules.max_change,) * 2
    band_lo, band_hi = p0 * (1 - down), p0 * (1 + up)
    targets = band_lo[:, None] * (band_hi / band_lo)[:, None] ** frac
    grid = _snap(targets, band_lo, band_hi, tuple(rules.endings))
    grid = np.where((grid >= lo[:, None] - _TOL) & (grid <= hi[:, None] + _TOL), grid, np.nan)
    cut = np.isnan(grid).all(axis=1)
    if cut.any():
        t_cut = lo[cut, None] * (hi[cut] / lo[cut])[:, None] ** frac
        grid[cut] = _snap(t_cut, lo[cut], hi[cut], tuple(rules.endings))
    cur_ok = (p0 >= lo - _TOL) & (p0 <= hi + _TOL)
    grid = np.concatenate([grid, np.where(cur_ok, p0, np.nan)[:, None]], axis=1)
    grid = np.sort(grid, axis=1)  # NaN last
    dup = np.zeros_like(grid, dtype=bool)
    dup[:, 1:] = np.isclose(grid[:, 1:], grid[:, :-1], rtol=0, atol=1e-6)
    grid = np.sort(np.where(dup, np.nan, grid), axis=1)
    keep = ~np.isnan(grid).all(axis=0)
    grid = grid[:, keep]
    _check_endings_leave_a_price(skus, grid, lo, hi, tuple(rules.endings))
    for rule in rules.custom:
        grid = _apply_custom(rule, catalog, grid, lo, hi, lo_rule, hi_rule)
    hit = np.isclose(grid, p0[:, None], rtol=0, atol=1e-6) & cur_ok[:, None]
    current = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    return Ladder(
        skus=skus,
        prices=grid,
        current=current,
        lower_rule=lo_rule,
        upper_rule=hi_rule,
        lower=lo,
        upper=hi,
    )


def _apply_custom(
    rule: CustomRule,
    catalog: Catalog,
    grid: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lo_rule: np.ndarray,
    hi_rule: np.ndarray,
) -> np.ndarray:
    """Remove the candidates ``rule`` forbids; record it where it moves the ladder's ends.

    ``lo``/``hi``/``lo_rule``/``hi_rule`` are updated in place so that a SKU stopped at the end
    of its ladder reports the custom rule as binding.
    """
    valid = ~np.isnan(grid)
    try:
        mask = rule.allowed(catalog.frame, grid.copy())
    except Exception as exc:
        raise ConfigError(
            f"custom price rule {rule.name!r} failed: {type(exc).__name__}: {exc}."
        ) from exc
    mask = np.asarray(mask)
    if mask.shape != grid.shape:
        raise ConfigError(
            f"custom price rule {rule.name!r} returned shape {mask.shape}; it must return one "
            f"boolean per candidate price, shape {grid.shape} (SKUs x candidates)."
        )
    keep = valid & mask.astype(bool)
    empty = valid.any(axis=1) & ~keep.any(axis=1)
    if empty.any():
        skus = catalog.frame.index
        i = np.flatnonzero(empty)
        listed = _first_skus(
            i,
            lambda j: (
                f"SKU {skus[j]!r}: candidates "
                f"{', '.join(f'{p:.2f}' for p in grid[j][valid[j]])} EUR"
            ),
        )
        raise InfeasibleError(
            f"custom price rule {rule.name!r} removes every allowed price of {len(i)} SKU(s): "
            + listed
            + ". Relax the custom rule or the built-in rules (max_change, endings) that built "
            "these candidates."
        )
    new = np.where(keep, grid, np.nan)
    old_top, new_top = np.nanmax(grid, axis=1), np.nanmax(new, axis=1)
    old_low, new_low = np.nanmin(grid, axis=1), np.nanmin(new, axis=1)
    cut_top, cut_low = new_top < old_top - _TOL, new_low > old_low + _TOL
    hi_rule[cut_top], hi[cut_top] = rule.name, new_top[cut_top]
    lo_rule[cut_low], lo[cut_low] = rule.name, new_low[cut_low]
    new = np.sort(new, axis=1)  # NaN last
    return new[:, ~np.isnan(new).all(axis=0)]


def reference_prices(
    sales: SalesHistory,
    catalog: Catalog,
    *,
    as_of: pd.Timestamp | None = None,
    days: int = 30,
) -> pd.Series:
    """Reference price to display next to a reduction (EU Omnibus directive, as in France).

    The reference ("prix de référence") is the lowest price applied during the ``days`` days
    before the reduction: the minimum of the current price and of the weekly prices paid in
    weeks starting within that window while the SKU was in stock.

    Parameters
    ----------
    sales : SalesHistory
        Weekly prices paid incl. VAT.
    catalog : Catalog
        Current prices incl. VAT (EUR).
    as_of : pandas.Timestamp, optional
        Date of the new prices; default the week after the last history week.
    days : int
        Look-back window in days.

    Returns
    -------
    pandas.Series
        EUR incl. VAT per catalog SKU.
    """
    f = sales.frame
    if as_of is None:
        as_of = f["week"].max() + pd.Timedelta(days=7)
    recent = f[(f["week"] >= as_of - pd.Timedelta(days=days)) & (f["week"] < as_of)]
    recent = recent[recent["in_stock"] & (recent["price_paid"] > 0)]
    low = recent.groupby("sku")["price_paid"].min().reindex(catalog.frame.index)
    cur = catalog.frame["price_incl_vat"]
    return pd.Series(
        np.fmin(low.to_numpy(float), cur.to_numpy(float)), index=cur.index, name="reference_price"
    )
