"""optimizer: media budget allocation and pricing for e-commerce teams.

Data flow: ``data`` -> ``mmm`` (Bayesian media-mix model) -> :class:`ResponseCurves` ->
``allocation`` and ``pricing`` -> ``scenario`` -> ``report`` (see ``docs/architecture.md``).

What an analyst uses is named here::

    import optimizer as opt

    data = opt.load_dataset("scenarios/demo")
    model = opt.MMM(seed=7).fit(data.marketing)
    plan = opt.allocate(model.response_curves(), opt.AllocationProblem(budget=150_000, n_weeks=13))

The data types, the loaders, :class:`ResponseCurves` and the errors load with the package; the
model, the planners and the scenario runner load on first use (PyMC takes seconds to import),
so ``import optimizer`` stays light.
"""

from typing import TYPE_CHECKING

from optimizer._version import __version__
from optimizer.curves import ResponseCurves
from optimizer.data import (
    DEFAULT_CHANNELS,
    Catalog,
    Dataset,
    LiftTests,
    Logistics,
    MarketingHistory,
    SalesHistory,
    load_catalog,
    load_dataset,
    load_lift_tests,
    load_logistics,
    load_marketing,
    load_sales,
)
from optimizer.errors import (
    ConfigError,
    ConvergenceError,
    DataError,
    InfeasibleError,
    NotFittedError,
    OptimizerError,
)
from optimizer.lazy import lazy_getattr

if TYPE_CHECKING:
    from optimizer.allocation import AllocationProblem, AllocationResult, allocate
    from optimizer.allocation.safe import SafeResult, safe_allocate
    from optimizer.mmm import MMM, load_model, save_model
    from optimizer.pricing import (
        ElasticityModel,
        PricingProblem,
        PricingResult,
        optimize_prices,
        safe_prices,
    )
    from optimizer.scenario import ScenarioResult, load_scenario, run_scenario

__all__ = [
    "DEFAULT_CHANNELS",
    "MMM",
    "AllocationProblem",
    "AllocationResult",
    "Catalog",
    "ConfigError",
    "ConvergenceError",
    "DataError",
    "Dataset",
    "ElasticityModel",
    "InfeasibleError",
    "LiftTests",
    "Logistics",
    "MarketingHistory",
    "NotFittedError",
    "OptimizerError",
    "PricingProblem",
    "PricingResult",
    "ResponseCurves",
    "SafeResult",
    "SalesHistory",
    "ScenarioResult",
    "__version__",
    "allocate",
    "load_catalog",
    "load_dataset",
    "load_lift_tests",
    "load_logistics",
    "load_marketing",
    "load_model",
    "load_sales",
    "load_scenario",
    "optimize_prices",
    "run_scenario",
    "safe_allocate",
    "safe_prices",
    "save_model",
]

# name -> module that defines it; imported on first attribute access (PEP 562)
_LAZY = {
    "MMM": "optimizer.mmm",
    "load_model": "optimizer.mmm",
    "save_model": "optimizer.mmm",
    "AllocationProblem": "optimizer.allocation",
    "AllocationResult": "optimizer.allocation",
    "allocate": "optimizer.allocation",
    "SafeResult": "optimizer.allocation.safe",
    "safe_allocate": "optimizer.allocation.safe",
    "ElasticityModel": "optimizer.pricing",
    "PricingProblem": "optimizer.pricing",
    "PricingResult": "optimizer.pricing",
    "optimize_prices": "optimizer.pricing",
    "safe_prices": "optimizer.pricing",
    "ScenarioResult": "optimizer.scenario",
    "load_scenario": "optimizer.scenario",
    "run_scenario": "optimizer.scenario",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())  # later look-ups skip it


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
