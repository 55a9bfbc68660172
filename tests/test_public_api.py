"""The public API: ``optimizer.__all__`` is pinned, every name imports, the package stays light."""

import subprocess
import sys
from pathlib import Path

import optimizer

PUBLIC = [
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


def test_all_is_pinned():
    # a change here is a change of the public API: update docs/architecture.md and the README
    assert sorted(optimizer.__all__) == sorted(PUBLIC)
    assert len(set(optimizer.__all__)) == len(optimizer.__all__)


def test_every_public_name_imports():
    for name in optimizer.__all__:
        assert getattr(optimizer, name) is not None, name
    assert set(optimizer.__all__) <= set(dir(optimizer))


def test_public_names_are_the_library_objects():
    from optimizer.allocation import allocate
    from optimizer.curves import ResponseCurves
    from optimizer.mmm.model import MMM
    from optimizer.pricing import optimize_prices

    assert optimizer.allocate is allocate
    assert optimizer.optimize_prices is optimize_prices
    assert optimizer.ResponseCurves is ResponseCurves
    assert optimizer.MMM is MMM


def test_unknown_name_is_an_attribute_error():
    try:
        optimizer.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("optimizer.no_such_name did not raise")


def test_import_optimizer_does_not_load_pymc():
    code = (
        "import sys, optimizer\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'nutpie') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    root = Path(optimizer.__file__).resolve().parents[1]  # the checkout under test, not another
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "", f"import optimizer loaded {out.stdout.strip()}"
