"""Run a portfolio file and write its folder: the one library call of ``portfolio run``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.data.portfolio import Portfolio
from optimizer.errors import ConfigError
from optimizer.portfolio.fit import FitSettings
from optimizer.portfolio.output import up_to_date
from optimizer.portfolio.plan import PlanSettings
from optimizer.portfolio.run import run_portfolio
from optimizer.portfolio.runs import recorded_settings, validate
from optimizer.report.format import check_lang
from optimizer.report.portfolio_writer import write_portfolio
from optimizer.scaleout import IN_PROCESS, ComputeSpec

__all__ = ["run_and_write"]

Progress = Callable[[str], None]


def run_and_write(
    path: str | Path | Portfolio,
    out: str | Path,
    *,
    force: bool = False,
    lang: str = "fr",
    compute: ComputeSpec = IN_PROCESS,
    fit_settings: FitSettings | None = None,
    settings: PlanSettings | None = None,
    reuse: bool = False,
    progress: Progress | None = None,
) -> tuple[Path, dict[str, Any], bool]:
    """Validate, run and write a portfolio; return the folder, its summary and whether reused.

    Parameters
    ----------
    path : str, Path or Portfolio
        ``portfolio.toml`` (or its folder), or a loaded portfolio.
    out : str or Path
        Run folder (written atomically).
    force : bool
        Replace an existing folder.
    lang : {"fr", "en"}
        Report language.
    compute : ComputeSpec
        Where the fits and price tables run.
    fit_settings, settings : FitSettings, PlanSettings, optional
        Default: their defaults.
    reuse : bool
        Keep an existing run whose inputs, code, settings and language are unchanged.
    progress : callable, optional

    Returns
    -------
    tuple of (Path, dict, bool)

    Raises
    ------
    ConfigError
        ``out`` exists without ``force``, an unknown language.
    OptimizerError
        Bad files (named), a failed fit, rules that cannot hold.
    """
    try:
        lang = check_lang(lang)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    portfolio = path if isinstance(path, Portfolio) else validate(path)
    out = Path(out)
    record = recorded_settings(fit_settings, settings)
    if reuse:
        summ = up_to_date(portfolio, out, lang, record)
        if summ is not None:
            return out, summ, True
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file; choose a folder for --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ConfigError(
            f"{out} already exists; choose another --out or pass --force to replace it."
        )
    result = run_portfolio(
        portfolio,
        fit_settings=fit_settings or FitSettings(),
        settings=settings or PlanSettings(),
        compute=compute,
        progress=progress,
    )
    folder = write_portfolio(result, out, force=force, lang=lang, settings=record)
    summ = up_to_date(portfolio, folder, lang, record)
    assert summ is not None  # just written
    return folder, summ, False
