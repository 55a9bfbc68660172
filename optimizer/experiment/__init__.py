"""Experiments: which test is worth its cost for the next plan, and what a test measured.

* :func:`plan_experiments` / :func:`plan_for_model`: candidate tests (channel x pause, -50 %,
  +50 %, +100 % x 2-8 weeks x start week) ranked by the expected value of their information
  for the next safe plan, net of their expected cost;
* :func:`readout` / :func:`readout_for_model`: the measured incremental revenue of a test and
  its standard error against the model's counterfactual, as a ``lift_tests.csv`` row.

See ``docs/experiments.md``.
"""

from optimizer.experiment.design import (
    ACTIONS,
    CandidateGrid,
    ExperimentDesign,
    candidate_tests,
    experiment_cost,
    measured_lift,
    measurement_se,
)
from optimizer.experiment.evi import CandidateValue, EviSettings, value_tests
from optimizer.experiment.plan import (
    ChannelKnowledge,
    ExperimentPlan,
    model_noise,
    plan_experiments,
    plan_for_model,
)
from optimizer.experiment.readout import Readout, readout, readout_for_model
from optimizer.experiment.replan import FlatPlan, FlatPlanner

__all__ = [
    "ACTIONS",
    "CandidateGrid",
    "CandidateValue",
    "ChannelKnowledge",
    "EviSettings",
    "ExperimentDesign",
    "ExperimentPlan",
    "FlatPlan",
    "FlatPlanner",
    "Readout",
    "candidate_tests",
    "experiment_cost",
    "measured_lift",
    "measurement_se",
    "model_noise",
    "plan_experiments",
    "plan_for_model",
    "readout",
    "readout_for_model",
    "value_tests",
]
