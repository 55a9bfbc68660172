"""optimizer: media budget allocation and pricing for e-commerce teams.

Data flow: ``data`` -> ``mmm`` (Bayesian media-mix model) -> response curves -> ``allocation``
-> ``pricing`` -> ``scenario`` -> ``report``.
"""

from optimizer._version import __version__
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

__all__ = [
    "DEFAULT_CHANNELS",
    "Catalog",
    "ConfigError",
    "ConvergenceError",
    "DataError",
    "Dataset",
    "InfeasibleError",
    "LiftTests",
    "Logistics",
    "MarketingHistory",
    "NotFittedError",
    "OptimizerError",
    "SalesHistory",
    "__version__",
    "load_catalog",
    "load_dataset",
    "load_lift_tests",
    "load_logistics",
    "load_marketing",
    "load_sales",
]
