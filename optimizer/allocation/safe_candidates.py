"""How a safe plan's candidates are judged and the kept one chosen (see :mod:`.safe`).

Each candidate is judged by its paired lift over today's plan on both halves of the posterior
samples: the choosing half (what the optimizer saw) and the held-out half (what it did not).
The kept plan is the safe candidate (``P(lift < 0) <= alpha`` on the held-out half) with the
best risk summary of its held-out lift; today's plan when nothing beats it safely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.allocation.evaluate import risk_value
from optimizer.allocation.problem import AllocationProblem, Risk
from optimizer.allocation.result import AllocationResult
from optimizer.allocation.safe_problems import paired_lift
from optimizer.curves import ResponseCurves

__all__ = ["Judge", "choose"]


@dataclass(frozen=True, eq=False)
class Judge:
    """Paired lifts of candidate plans over today's on the choosing and the held-out half.

    Attributes
    ----------
    choosing, held_out : ResponseCurves
        The two halves of the posterior samples.
    problem : AllocationProblem
        The problem on the posterior mean (its value coefficients and week weights).
    today : numpy.ndarray
        Today's plan, (n_weeks, C) EUR per week.
    risk : Risk
        The risk summary a candidate's held-out lift is scored by.
    alpha : float
        Largest share of held-out samples in which a safe plan may lose to today's.
    """

    choosing: ResponseCurves
    held_out: ResponseCurves
    problem: AllocationProblem
    today: np.ndarray
    risk: Risk
    alpha: float

    def full(self, plan: np.ndarray) -> np.ndarray:
        """The plan with its tail weeks (spend 0)."""
        return np.vstack([plan, np.zeros((self.problem.tail_weeks, plan.shape[1]))])

    def lift(self, curves: ResponseCurves, plan: np.ndarray) -> np.ndarray:
        """Paired lift of ``plan`` over today's on each sample of ``curves``, EUR."""
        return paired_lift(curves, self.problem, self.full(plan), self.full(self.today))

    def row(
        self, name: str, step: float, res: AllocationResult | None, plan: np.ndarray
    ) -> dict[str, object]:
        """The candidate table's row of a plan (``res``: the solve that found it, if any)."""
        lift_a = self.lift(self.choosing, plan)
        lift_b = self.lift(self.held_out, plan)
        return {
            "candidate": name,
            "step": step,
            "lift_choose": float(lift_a.mean()),
            "lift_mean": float(lift_b.mean()),
            "lift_p10": float(np.quantile(lift_b, 0.1)),
            "score": risk_value(lift_b, self.risk),
            "p_loss": float(np.mean(lift_b < 0)),
            "safe": bool(np.mean(lift_b < 0) <= self.alpha),
            "status": None if res is None else res.status.value,
            "rel_gap": None if res is None else res.rel_gap,
            "note": "",
        }


def choose(table: pd.DataFrame, alpha: float, risk: Risk) -> tuple[str, str]:
    """The kept candidate of a candidate table and why, in words: (name, reason)."""
    safe = table[table["safe"]]
    if not len(safe):
        best = table.iloc[int(np.argmin(table["p_loss"].to_numpy()))]
        chosen = str(best["candidate"])
        return chosen, (
            f"no plan meets the safety level (P(loss) <= {alpha:.0%}) and today's plan "
            f"breaks the rules (budget or bounds); {chosen} has the lowest risk of loss "
            f"({best['p_loss']:.0%})"
        )
    best = safe.iloc[int(np.argmax(safe["score"].to_numpy()))]
    chosen = str(best["candidate"])
    if chosen == "today":
        return chosen, (
            f"today's plan is kept: no re-allocation beat it in at least "
            f"{1 - alpha:.0%} of the model's samples (P(loss) of the candidates: "
            + ", ".join(
                f"{r.candidate} {r.p_loss:.0%}"
                for r in table.itertuples()
                if r.candidate != "today"
            )
            + ")"
        )
    what = "expected lift" if risk.kind == "mean" else f"{risk.label} of the lift"
    where = "the problem's own rules" if chosen == "rules only" else f"{chosen} of the trust region"
    return chosen, (
        f"{where}: the highest {what} among plans that beat today's in at least "
        f"{1 - alpha:.0%} of the held-out samples"
    )
