"""Data contract: loading and validating the four input files, and the demo store."""

from optimizer.data.catalog import FRENCH_VAT_RATES, Catalog, load_catalog, write_catalog
from optimizer.data.dataset import Dataset, load_dataset, load_file
from optimizer.data.lift_tests import LiftTests, load_lift_tests, write_lift_tests
from optimizer.data.logistics import Logistics, load_logistics, write_logistics
from optimizer.data.marketing import (
    DEFAULT_CHANNELS,
    MarketingHistory,
    load_marketing,
    write_marketing,
)
from optimizer.data.sales import SalesHistory, load_sales, write_sales

__all__ = [
    "DEFAULT_CHANNELS",
    "FRENCH_VAT_RATES",
    "Catalog",
    "Dataset",
    "LiftTests",
    "Logistics",
    "MarketingHistory",
    "SalesHistory",
    "load_catalog",
    "load_dataset",
    "load_file",
    "load_lift_tests",
    "load_logistics",
    "load_marketing",
    "load_sales",
    "write_catalog",
    "write_lift_tests",
    "write_logistics",
    "write_marketing",
    "write_sales",
]
