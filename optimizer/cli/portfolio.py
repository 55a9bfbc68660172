"""``optimizer portfolio validate|run``: several shops, one plan."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from optimizer.cli.common import check_out, lang_option, number_option, out_option, progress
from optimizer.report.format import Fmt
from optimizer.report.labels import label, tr
from optimizer.scaleout import ENV_SCHEDULER, ComputeSpec

__all__ = [
    "portfolio_group",
    "portfolio_line",
    "register",
    "run_demo_portfolio",
    "shop_lines",
]


@click.group("portfolio")
def portfolio_group() -> None:
    """Plan several shops that share a media budget and warehouses (portfolio.toml)."""


@portfolio_group.command("validate")
@click.argument("portfolio", type=click.Path(path_type=Path))
@lang_option
def validate_cmd(portfolio: Path, lang: str) -> None:
    """Check PORTFOLIO (portfolio.toml or its folder), its shops and warehouses; no fit."""
    from optimizer.portfolio.runs import validate  # lazy: PyMC loads with the planning package

    p = validate(portfolio)
    fmt = Fmt(lang)  # type: ignore[arg-type]
    fr = lang == "fr"
    start = p.horizon[0].strftime("%d/%m/%Y" if fr else "%Y-%m-%d")
    name = p.name or p.path.parent.name
    if fr:
        head = (
            f"OK {p.path} : {name}, {len(p.shops)} boutiques, {len(p.warehouses)} entrepôt(s), "
            f"{p.rules.horizon_weeks} semaines à partir du {start}, budget du groupe "
            f"{fmt.eur(p.budget)}"
        )
    else:
        head = (
            f"OK {p.path}: {name}, {len(p.shops)} shops, {len(p.warehouses)} warehouse(s), "
            f"{p.rules.horizon_weeks} weeks from {start}, group budget {fmt.eur(p.budget)}"
        )
    click.echo(head)
    today = p.today_budgets()
    for shop_name, (lo, hi) in p.budget_bounds().items():
        shop = p.shop(shop_name)
        now, rng = fmt.eur(today[shop_name]), fmt.eur_range(lo, hi)
        channels = ", ".join(label(c, lang) for c in shop.channels)
        if fr:
            tail = f"aujourd'hui {now}, permis {rng} ; canaux {channels}"
        else:
            tail = f"today {now}, allowed {rng}; channels {channels}"
        click.echo(f"  {shop_name:<14} {shop.warehouse:<10} {tail}")


def portfolio_line(summary: dict[str, Any], lang: str) -> str:
    """One line: the group's contribution, its interval and the change vs today's plan."""
    fmt = Fmt(lang)  # type: ignore[arg-type]
    c = summary["kpis"]["contribution"]
    d = c["delta"]
    return tr(
        lang,
        f"{summary['portfolio']} : contribution {fmt.eur(c['plan']['mean'])} (P10 "
        f"{fmt.eur(c['plan']['p10'])}, P90 {fmt.eur(c['plan']['p90'])}) ; "
        f"{fmt.eur(d['mean'], sign=True)} par rapport au plan actuel, probabilité de gain "
        f"{fmt.probability(d['p_positive'])}.",
        f"{summary['portfolio']}: contribution {fmt.eur(c['plan']['mean'])} (P10 "
        f"{fmt.eur(c['plan']['p10'])}, P90 {fmt.eur(c['plan']['p90'])}); "
        f"{fmt.eur(d['mean'], sign=True)} vs the current plan, probability of a gain "
        f"{fmt.probability(d['p_positive'])}.",
    )


def shop_lines(summary: dict[str, Any], lang: str) -> list[str]:
    """One line per shop: budget today and proposed, change in contribution."""
    fmt = Fmt(lang)  # type: ignore[arg-type]
    out = []
    for s in summary["shops"]:
        b, d = s["budget"], s["kpis"]["contribution"]["delta"]
        out.append(
            f"  {s['shop']:<14} "
            + tr(
                lang,
                f"budget {fmt.eur(b['current'])} -> {fmt.eur(b['plan'])} ; contribution "
                f"{fmt.eur(d['mean'], sign=True)}",
                f"budget {fmt.eur(b['current'])} -> {fmt.eur(b['plan'])}; contribution "
                f"{fmt.eur(d['mean'], sign=True)}",
            )
        )
    a = summary.get("alone")
    if a:
        g = a["group_vs_alone"]
        out.append(
            tr(
                lang,
                f"  ensemble plutôt que chaque boutique seule : {fmt.eur(g['mean'], sign=True)}",
                f"  together rather than each shop alone: {fmt.eur(g['mean'], sign=True)}",
            )
        )
    return out


@portfolio_group.command("run")
@click.argument("portfolio", type=click.Path(path_type=Path))
@out_option("Run folder to write.")
@number_option(
    "--workers",
    click.IntRange(min=1),
    None,
    help="Start a local Dask cluster with N worker processes for the shops' fits and price "
    "tables (default: run in this process).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDR",
    help=f"Use an existing Dask cluster at tcp://HOST:PORT (or set {ENV_SCHEDULER}).",
)
@lang_option
def run_cmd(
    portfolio: Path, out: Path, force: bool, workers: int | None, scheduler: str | None, lang: str
) -> None:
    """Fit every shop (cached), plan the group, write summary.json, CSVs and report.html."""
    from optimizer.jobs.portfolio import run_and_write  # lazy: PyMC loads with the planning package

    t0 = time.perf_counter()
    compute = ComputeSpec.from_options(workers, scheduler)
    check_out(out, force)  # refused before any fit
    folder, summary, _ = run_and_write(
        portfolio, out, force=force, lang=lang, compute=compute, progress=progress(t0)
    )
    click.echo(portfolio_line(summary, lang))
    for line in shop_lines(summary, lang):
        click.echo(line)
    click.echo(f"Report: {folder / 'report.html'}  ({time.perf_counter() - t0:.1f} s)")


def run_demo_portfolio(
    folder: Path, runs_dir: Path, *, lang: str, rerun: bool, jobs: int, say: Any
) -> tuple[Path, dict[str, Any]] | None:
    """The demo's portfolio step: run (or reuse) ``folder`` into ``runs_dir/portfolio``.

    The shops' fits missing from the cache run on a local cluster of ``jobs`` workers (side by
    side) when ``jobs > 1``. Returns None when there is no demo portfolio next to the demo store.
    """
    # lazy: PyMC loads with the planning package
    from optimizer.jobs.portfolio import run_and_write
    from optimizer.portfolio.fit import FitSettings, fits_cached
    from optimizer.portfolio.runs import current_run, validate

    if not (folder / "portfolio.toml").is_file():
        return None
    out = runs_dir / "portfolio"
    say(f"portfolio {folder}")
    portfolio = validate(folder)
    summ = None if rerun else current_run(portfolio, out, lang)
    if summ is not None:
        say(f"  up to date, reused {out}")
        return out, summ
    cold = jobs > 1 and not fits_cached(portfolio, FitSettings())
    run, summ, _ = run_and_write(
        portfolio,
        out,
        force=True,
        lang=lang,
        compute=ComputeSpec(workers=jobs) if cold else ComputeSpec(),
        progress=lambda m: say("  " + m),
    )
    return run, summ


def register(cli: click.Group) -> None:
    """Attach the portfolio group."""
    cli.add_command(portfolio_group)
