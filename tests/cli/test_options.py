"""The shared option blocks: one --out/--force pair, option groups handed over as one value."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from optimizer.cli.common import FORCE_HELP, out_option
from optimizer.cli.options import MarketingInputs, Sampling, marketing_options, sampler_options


def test_out_option_adds_required_out_and_force():
    @click.command()
    @out_option("Folder.")
    def cmd(out: Path, force: bool) -> None:
        click.echo(f"{out.name} {force}")

    opts = {o: p for p in cmd.params for o in p.opts}
    assert opts["--out"].required and opts["--out"].help == "Folder."
    assert opts["--force"].help == FORCE_HELP
    assert CliRunner().invoke(cmd, ["--out", "x", "--force"]).output == "x True\n"
    assert CliRunner().invoke(cmd, []).exit_code == 2


def test_groups_reach_the_command_as_one_frozen_value():
    seen = {}

    @click.command()
    @marketing_options
    @sampler_options(
        draws=(10, click.IntRange(1)),
        tune=(5, click.IntRange(0)),
        chains=(2, click.IntRange(1, 4)),
        chains_note="n",
    )
    def cmd(inputs: MarketingInputs, sampling: Sampling) -> None:
        seen["inputs"], seen["sampling"] = inputs, sampling

    r = CliRunner().invoke(cmd, ["--data", "d.csv", "--channels", "tv, sea", "--draws", "20"])
    assert r.exit_code == 0, r.output
    assert seen["inputs"] == MarketingInputs(Path("d.csv"), channels=["tv", "sea"])
    assert seen["sampling"] == Sampling(draws=20, tune=5, chains=2, seed=0)
    names = [p.name for p in cmd.params]
    assert names[:6] == ["data", "date", "target", "channels", "controls", "lift_tests"]
    assert names[6:] == ["draws", "tune", "chains", "seed"]
