"""A dataset folder: ``dataset.toml`` naming the files and their columns.

Example ``dataset.toml``::

    schema_version = 1
    [marketing]
    file = "marketing.csv"
    date = "date"
    target = "revenue"
    channels = ["seo", "sea", "social", "affiliation", "retail_media"]
    controls = ["promo_share", "black_friday"]
    [catalog]
    file = "catalog.csv"
    [sales]
    file = "sales.csv"
    [logistics]
    file = "logistics.csv"
    [lift_tests]
    file = "lift_tests.csv"

Every section is optional; paths are relative to the folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from optimizer.config import StrictModel, load_toml, validate
from optimizer.data.catalog import Catalog, load_catalog
from optimizer.data.io import read_table
from optimizer.data.lift_tests import LiftTests, load_lift_tests
from optimizer.data.logistics import Logistics, load_logistics
from optimizer.data.marketing import MarketingHistory, load_marketing
from optimizer.data.sales import SalesHistory, load_sales
from optimizer.errors import ConfigError, DataError, did_you_mean

__all__ = ["DATASET_FILE", "Dataset", "DatasetSpec", "load_dataset", "load_file"]

DATASET_FILE = "dataset.toml"


class MarketingSpec(StrictModel):
    """Where the marketing history is and what its columns are called."""

    file: str = "marketing.csv"
    date: str = "date"
    target: str = "revenue"
    target_includes_vat: bool = True
    orders: str | None = "orders"
    channels: list[str] | None = None
    controls: list[str] = []
    # channels paid as a share of sales (affiliation commission, marketplace cut): not levers
    cost_follows_sales: list[str] = []


class FileSpec(StrictModel):
    """A section that only names a file."""

    file: str


class DatasetSpec(StrictModel):
    """Content of ``dataset.toml``."""

    schema_version: Literal[1] = 1
    name: str = ""
    marketing: MarketingSpec | None = None
    catalog: FileSpec | None = None
    sales: FileSpec | None = None
    logistics: FileSpec | None = None
    lift_tests: FileSpec | None = None


@dataclass(frozen=True, eq=False)
class Dataset:
    """Everything a dataset folder holds; absent parts are ``None``."""

    marketing: MarketingHistory | None = None
    catalog: Catalog | None = None
    sales: SalesHistory | None = None
    logistics: Logistics | None = None
    lift_tests: LiftTests | None = None
    spec: DatasetSpec | None = None
    root: Path | None = None

    def input_digests(self) -> dict[str, str]:
        """SHA-256 (hex) of every file of the folder, by role, ``dataset.toml`` last.

        The roles are ``marketing``, ``catalog``, ``sales``, ``logistics`` and ``lift_tests``
        (those the folder names). A run records these; a run is up to date while they match.
        Only for a dataset read from a folder (:func:`load_dataset`).
        """
        assert self.spec is not None and self.root is not None
        s = self.spec
        sections = {
            "marketing": s.marketing,
            "catalog": s.catalog,
            "sales": s.sales,
            "logistics": s.logistics,
            "lift_tests": s.lift_tests,
        }
        files = {role: sec.file for role, sec in sections.items() if sec is not None}
        files[DATASET_FILE] = DATASET_FILE
        return {role: _file_sha256(self.root / name) for role, name in files.items()}


def _file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), read in blocks of 1 MiB."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _inside(root: Path, name: str, key: str) -> Path:
    where = f"{DATASET_FILE}: [{key}].file = {name!r}"
    try:
        path = (root / name).resolve()
        is_dir, exists = path.is_dir(), path.exists()
    except (OSError, RuntimeError, ValueError) as exc:  # NUL byte, name too long, symlink loop
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(
            f"{where} is not a usable path ({reason}); name a CSV file in the dataset folder."
        ) from None
    if not path.is_relative_to(root.resolve()):
        raise ConfigError(
            f"{DATASET_FILE}: [{key}].file = {name!r} points outside the dataset folder; keep data "
            "files inside it."
        )
    if is_dir:
        raise ConfigError(f"{where} is a folder; name a CSV file in the dataset folder.")
    if not exists:
        raise DataError(
            f"{name}: file not found in the dataset folder '{root}' (named by [{key}].file in "
            f"{DATASET_FILE}); fix the name or add the file."
        )
    return path


def load_dataset(folder: str | Path) -> Dataset:
    """Load every file named by ``folder/dataset.toml`` (validated, cross-checked).

    Parameters
    ----------
    folder : str or Path
        Dataset folder.

    Returns
    -------
    Dataset
    """
    root = Path(folder)
    spec_path = root / DATASET_FILE
    if not spec_path.is_file():
        raise DataError(
            f"{root}: no {DATASET_FILE} in this folder; create one naming the files "
            "(see docs/data.md) or pass the CSV files directly."
        )
    spec = validate(DatasetSpec, load_toml(spec_path), DATASET_FILE)
    m = spec.marketing
    marketing = (
        load_marketing(
            _inside(root, m.file, "marketing"),
            date=m.date,
            target=m.target,
            channels=m.channels,
            controls=m.controls,
            orders=m.orders,
        )
        if m
        else None
    )
    if m and marketing is not None and m.cost_follows_sales:
        unknown = [c for c in m.cost_follows_sales if c not in marketing.channels]
        if unknown:
            raise DataError(
                f"{DATASET_FILE}: [marketing].cost_follows_sales names '{unknown[0]}', which is "
                f"not a channel of {m.file} ({', '.join(marketing.channels)}); fix the name."
                + did_you_mean(unknown[0], marketing.channels)
            )
        marketing = dataclasses.replace(marketing, cost_follows_sales=tuple(m.cost_follows_sales))
    catalog = load_catalog(_inside(root, spec.catalog.file, "catalog")) if spec.catalog else None
    sales = (
        load_sales(_inside(root, spec.sales.file, "sales"), catalog=catalog) if spec.sales else None
    )
    logistics = (
        load_logistics(_inside(root, spec.logistics.file, "logistics")) if spec.logistics else None
    )
    lift = None
    if spec.lift_tests:
        lift = load_lift_tests(
            _inside(root, spec.lift_tests.file, "lift_tests"),
            channels=marketing.channels if marketing else None,
            weeks=marketing.weeks if marketing else None,
        )
    return Dataset(marketing, catalog, sales, logistics, lift, spec, root)


_KINDS = {
    "marketing": ({"date", "revenue"}, load_marketing),
    "catalog": ({"sku", "price_incl_vat", "unit_cost"}, load_catalog),
    "sales": ({"week", "sku", "units"}, load_sales),
    "logistics": ({"capacity"}, load_logistics),
    "lift_tests": ({"channel", "spend_change", "incremental_revenue"}, load_lift_tests),
}


def load_file(path: str | Path) -> tuple[str, object]:
    """Load one CSV, recognising its kind from its header.

    A marketing file inside a dataset folder is read with the column mapping of the folder's
    ``dataset.toml``.

    Returns
    -------
    tuple of (str, object)
        The kind (``marketing``, ``catalog``, ``sales``, ``logistics``, ``lift_tests``) and
        the loaded object.
    """
    path = Path(path)
    frame = read_table(path)
    cols = set(frame.columns)
    spec_path = path.parent / DATASET_FILE
    if spec_path.is_file():
        # a file of a dataset folder is read with the folder's column mapping
        spec = validate(DatasetSpec, load_toml(spec_path), DATASET_FILE)
        m = spec.marketing
        if m is not None and (path.parent / m.file).resolve() == path.resolve():
            return "marketing", load_marketing(
                path,
                date=m.date,
                target=m.target,
                channels=m.channels,
                controls=m.controls,
                orders=m.orders,
            )
    for kind, (needed, loader) in _KINDS.items():
        if needed <= cols:
            return kind, loader(path)  # type: ignore[operator]
    raise DataError(
        f"{Path(path).name}: cannot tell what this file is from its columns "
        f"({', '.join(frame.columns)}); a marketing history needs 'date' and 'revenue', a "
        "catalog 'sku', 'price_incl_vat' and 'unit_cost', a sales history 'week', 'sku' and "
        "'units', a logistics file 'capacity', lift tests 'channel', 'spend_change' and "
        "'incremental_revenue'. Or use a dataset.toml."
    )
