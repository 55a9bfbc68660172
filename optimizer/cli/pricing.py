"""``optimizer pricing fit`` and ``optimizer pricing optimize``.

Both write into a temporary folder next to ``--out`` and rename it at the end, so an error
never leaves a half-written output folder.
"""

from __future__ import annotations

from pathlib import Path

import click

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
from optimizer.jobs.pricing import FitRequest, PriceRequest, fit_elasticities, plan_prices
from optimizer.report.console import elasticity_line, pricing_lines
from optimizer.report.labels import tr
from optimizer.report.pricing_writer import write_elasticities, write_pricing

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
    run = fit_elasticities(
        FitRequest(
            sales=sales_path,
            catalog=catalog_path,
            method=method,
            max_weeks=max_weeks,
            draws=sampling.draws,
            tune=sampling.tune,
            chains=sampling.chains,
            seed=sampling.seed,
        )
    )
    summary = run.summary
    # --out was checked before fitting: the writer replaces what is there
    write_elasticities(run.estimates, summary, out, force=True)

    click.echo(
        f"{elasticity_line(summary, method, lang)} {tr(lang, 'Écrit dans', 'Written to')} {out}"
    )


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
    run = plan_prices(
        PriceRequest(
            catalog=catalog_path,
            elasticities=el_dir,
            capacity=capacity,
            weeks=weeks,
            rules=rules_path,
            sales=sales_path,
            method=method,
            capacity_mode=capacity_mode,
            safe=safe,
            alpha=alpha,
            seed=seed,
        )
    )
    # --out was checked before optimizing: the writer replaces what is there
    write_pricing(run.result, run.summary, out, safety=run.safety, force=True)

    for line in pricing_lines(run.summary, run.result, run.safety, lang):
        click.echo(line)
    click.echo(tr(lang, f"Écrit dans {out}", f"Written to {out}"))


def register(cli: click.Group) -> None:
    """Attach the pricing group to the top-level CLI."""
    cli.add_command(pricing_group)
