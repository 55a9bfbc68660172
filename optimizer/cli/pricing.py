"""``optimizer pricing fit`` and ``optimizer pricing optimize``.

Both write into a temporary folder next to ``--out`` and rename it at the end, so an error
never leaves a half-written output folder.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from optimizer.cli.common import (
    check_out,
    choice_option,
    lang_option,
    number_option,
    out_option,
    path_option,
    seed_option,
    weeks_option,
)
from optimizer.cli.options import Sampling, sampler_options
from optimizer.data.catalog import load_catalog
from optimizer.data.logistics import load_logistics
from optimizer.data.sales import load_sales
from optimizer.errors import ConfigError
from optimizer.pricing.config import RulesFile, load_rules
from optimizer.pricing.elasticity import ElasticityModel
from optimizer.pricing.estimates import Elasticities
from optimizer.pricing.optimize import optimize_prices
from optimizer.pricing.problem import Method, PricingProblem
from optimizer.pricing.rules import reference_prices
from optimizer.pricing.safe import safe_prices
from optimizer.report.console import elasticity_line, pricing_lines
from optimizer.report.labels import tr
from optimizer.report.pricing_writer import (
    elasticity_summary,
    pricing_summary,
    write_elasticities,
    write_pricing,
)

__all__ = ["register"]


@click.group("pricing")
def pricing_group() -> None:
    """Estimate price elasticities and optimize prices under stock and capacity."""


@pricing_group.command("fit")
@path_option(
    "--sales",
    "sales_path",
    required=True,
    help="Sales history CSV (week, sku, price_paid, units, promo[, in_stock]).",
)
@path_option("--catalog", "catalog_path", required=True, help="Catalog CSV.")
@out_option("Output folder (elasticities.csv, draws, summary.json, a plot).")
@choice_option(
    "--method",
    ["nuts", "laplace"],
    help="nuts: full MCMC (nutpie); laplace: fast approximation for very large catalogs "
    "(intervals slightly too narrow).",
)
@number_option("--max-weeks", click.IntRange(4, 10_000), None, help="Fit on the last N weeks only.")
@sampler_options(
    draws=(1000, click.IntRange(50, 10_000)),
    tune=(500, click.IntRange(50, 10_000)),
    chains=(2, click.IntRange(1, 8)),
    chains_note="nuts",
    suffix=" (nuts)",
)
@lang_option
def fit_cmd(
    sales_path: Path,
    catalog_path: Path,
    out: Path,
    force: bool,
    method: str,
    max_weeks: int | None,
    sampling: Sampling,
    lang: str,
) -> None:
    """Fit the hierarchical elasticity model; write elasticities.csv, summary.json, a plot."""
    check_out(out, force)
    catalog = load_catalog(catalog_path)
    sales = load_sales(sales_path, catalog=catalog)
    model = ElasticityModel(
        method=method,
        draws=sampling.draws,
        tune=sampling.tune,
        chains=sampling.chains,
        max_weeks=max_weeks,
        seed=sampling.seed,
    )
    est = model.fit(sales, catalog).estimates
    summary = elasticity_summary(est, {"sales": str(sales_path), "catalog": str(catalog_path)})
    # --out was checked before fitting: the writer replaces what is there
    write_elasticities(est, summary, out, force=True)

    click.echo(
        f"{elasticity_line(summary, method, lang)} {tr(lang, 'Écrit dans', 'Written to')} {out}"
    )


def _capacity(value: str, weeks: int) -> tuple[np.ndarray, float]:
    """Capacity per week and logistics cost from a number or a logistics CSV."""
    try:
        units = float(value.replace(",", "."))
    except ValueError:
        units = None
    if units is not None:
        if units <= 0:
            raise ConfigError(f"--capacity {value}: give a positive number of units per week.")
        return np.full(weeks, units), 0.0
    log = load_logistics(value)
    if not log.weekly:
        return np.full(weeks, float(log.capacity)), float(log.cost_per_unit)  # type: ignore[arg-type]
    cap = log.capacity
    if len(cap) < weeks:  # type: ignore[arg-type]
        raise ConfigError(
            f"--capacity {value}: the file covers {len(cap)} weeks but --weeks is {weeks}; "  # type: ignore[arg-type]
            "add weeks to the file or shorten the horizon."
        )
    cost = np.asarray(log.cost_per_unit)[:weeks]
    return np.asarray(cap)[:weeks].astype(float), float(np.mean(cost))


@pricing_group.command("optimize")
@path_option(
    "--catalog",
    "catalog_path",
    required=True,
    help="Catalog CSV (current prices, costs, VAT, stock).",
)
@path_option(
    "--elasticities", "el_dir", required=True, help="Folder written by 'optimizer pricing fit'."
)
@click.option(
    "--capacity",
    required=True,
    help="Logistics units per week, or a logistics CSV (its first --weeks rows).",
)
@weeks_option(104)
@path_option(
    "--rules",
    "rules_path",
    help="Rules TOML (max_change, endings, margin_floor, max_changes, ...).",
)
@path_option(
    "--sales", "sales_path", help="Sales history, for the 30-day reference price of reductions."
)
@choice_option(
    "--method",
    ["auto", "lagrangian", "milp"],
    help="Solver: lagrangian (fast, certified gap), milp (exact, small catalogs) or auto.",
)
@click.option(
    "--capacity-mode",
    type=click.Choice(["hard", "ration"]),
    default=None,
    help="hard: every week's expected shipments must fit the capacity; ration: demand above "
    "capacity is not shipped and costs the margin per logistics unit. Default: the rules "
    "file's capacity_mode, else hard.",
)
@click.option(
    "--safe/--no-safe",
    default=None,
    help="Safe plan (default): bound each SKU's change by how well its elasticity is "
    "identified and keep only prices whose lift over today's prices is negative with "
    "held-out probability at most --alpha; else today's prices. --no-safe: the plain "
    "optimum. Default: the rules file's safe, else on.",
)
@number_option(
    "--alpha",
    click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    None,
    help="Largest held-out probability of earning less than today's prices (default: the "
    "rules file's alpha, else 0.1).",
)
@seed_option(help="Seed of the draw split.")
@out_option("Output folder (prices.csv, summary.json).")
@lang_option
def optimize_cmd(
    catalog_path: Path,
    el_dir: Path,
    capacity: str,
    weeks: int,
    rules_path: Path | None,
    sales_path: Path | None,
    method: str,
    capacity_mode: str | None,
    safe: bool | None,
    alpha: float | None,
    seed: int,
    out: Path,
    force: bool,
    lang: str,
) -> None:
    """Choose new prices; write prices.csv, summary.json (and safety.csv in safe mode)."""
    check_out(out, force)
    cfg = load_rules(rules_path) if rules_path is not None else RulesFile.model_validate({})
    catalog = load_catalog(catalog_path)
    est = Elasticities.load(el_dir)
    cap, log_cost = _capacity(capacity, weeks)
    refs = None
    if sales_path is not None:
        refs = reference_prices(load_sales(sales_path, catalog=catalog), catalog)
    problem = PricingProblem(
        catalog=catalog,
        elasticities=est,
        capacity=cap,
        rules=cfg.to_rules(),
        objective=cfg.objective_enum,
        logistics_cost=cfg.logistics_cost if cfg.logistics_cost is not None else log_cost,
        net_of_returns=cfg.net_of_returns,
        units_quantile=cfg.units_quantile,
        reference_prices=refs,
        method=Method(method),
        gap_tolerance=cfg.gap_tolerance,
        capacity_mode=capacity_mode or cfg.capacity_mode,
    )
    if safe is not None or alpha is not None:
        cfg = cfg.model_copy(
            update={k: v for k, v in (("safe", safe), ("alpha", alpha)) if v is not None}
        )
    settings = cfg.safe_settings(seed)
    safety = None
    if settings is None:
        res = optimize_prices(problem)
    else:
        safety = safe_prices(problem, settings)
        res = safety.result
    summary = pricing_summary(res, history_references=refs is not None)
    # --out was checked before optimizing: the writer replaces what is there
    write_pricing(res, summary, out, safety=safety, force=True)

    for line in pricing_lines(summary, res, safety, lang):
        click.echo(line)
    click.echo(tr(lang, f"Écrit dans {out}", f"Written to {out}"))


def register(cli: click.Group) -> None:
    """Attach the pricing group to the top-level CLI."""
    cli.add_command(pricing_group)
