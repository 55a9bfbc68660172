"""How the posterior samples of a plan's value are summarized: mean, low quantile or CVaR."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.errors import ConfigError, did_you_mean

__all__ = ["Risk"]


@dataclass(frozen=True)
class Risk:
    """How the posterior samples of a plan's value are summarized.

    Attributes
    ----------
    kind : {"mean", "quantile", "cvar"}
        Posterior mean, a low quantile (``level`` = 0.1 is P10) or the conditional value at risk
        (mean of the worst ``level`` share of samples).
    level : float
        Tail share in (0, 0.5] for ``quantile`` and ``cvar``.
    """

    kind: str = "mean"
    level: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in ("mean", "quantile", "cvar"):
            raise ConfigError(
                f"risk '{self.kind}' is unknown; use mean, quantile or cvar."
                + did_you_mean(self.kind, ("mean", "quantile", "cvar"))
            )
        if not 0.0 < self.level <= 0.5:
            raise ConfigError(f"risk level {self.level} must be in (0, 0.5], e.g. 0.1 for P10.")

    @classmethod
    def parse(cls, text: str) -> Risk:
        """Parse the CLI form: ``mean``, ``p10`` (quantile 0.10) or ``cvar10`` (CVaR 10 %)."""
        t = text.strip().lower()
        if t == "mean":
            return cls("mean")
        if t.startswith("p") and t[1:].isdigit():
            return cls("quantile", int(t[1:]) / 100.0)
        if t.startswith("cvar") and t[4:].isdigit():
            return cls("cvar", int(t[4:]) / 100.0)
        raise ConfigError(f"risk '{text}' is not understood; use mean, p10 or cvar10.")

    @property
    def label(self) -> str:
        """Short name: ``mean``, ``p10``, ``cvar10``."""
        if self.kind == "mean":
            return "mean"
        pct = round(self.level * 100)
        return f"p{pct}" if self.kind == "quantile" else f"cvar{pct}"
