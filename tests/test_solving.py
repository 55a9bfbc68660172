"""The planners' shared solving floor: one status, one solver check, one PuLP builder."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from optimizer.allocation import Status
from optimizer.errors import ConfigError
from optimizer.pricing import PricingStatus
from optimizer.pricing.milp import solve_milp
from optimizer.solving import SOLVERS, THREADS, SolveStatus, check_solver, pulp_solver


def test_allocation_and_pricing_share_one_status():
    assert Status is SolveStatus and PricingStatus is SolveStatus
    assert [s.value for s in SolveStatus] == ["optimal", "feasible"]


def test_unknown_solver_is_refused_with_the_known_names():
    assert [check_solver(s) for s in SOLVERS] == list(SOLVERS)
    with pytest.raises(ConfigError, match="LP solver 'gurobi' is unknown; use one of cbc, highs"):
        check_solver("gurobi")
    with pytest.raises(ConfigError, match="LP solver 'glpk' is unknown"):
        pulp_solver("glpk", gap_rel=1e-6, time_limit=1.0)


@pytest.mark.parametrize(("name", "cls"), [("cbc", pulp.PULP_CBC_CMD), ("highs", pulp.HiGHS)])
def test_pulp_solver_is_silent_and_thread_limited(name, cls):
    s = pulp_solver(name, gap_rel=1e-4, time_limit=5.0)
    assert isinstance(s, cls)
    assert s.msg is False and s.timeLimit == 5.0
    assert s.optionsDict.get("threads", getattr(s, "threads", None)) == THREADS


def test_pricing_milp_refuses_an_unknown_solver_before_building():
    v, w, b = np.ones((2, 2)), np.ones((2, 2, 1)), np.ones(1)
    with pytest.raises(ConfigError, match="LP solver 'cpcb' is unknown"):
        solve_milp(v, w, b, solver="cpcb")
