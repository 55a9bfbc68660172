from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode(encoding))
        return p

    return _write


MARKETING = """date,revenue,orders,seo,sea,social
2024-01-01,1000,10,100,200,0
2024-01-08,1100,11,100,250,50
2024-01-15,1200,12,120,250,50
2024-01-22,1150,11,120,200,0
"""

CATALOG = """sku,category,price_incl_vat,vat_rate,unit_cost,stock,logistics_units
A1,Mode femme,59.99,0.2,20,100,1
B2,Maison,119.90,0.2,45.5,10,2
C3,Épicerie fine,12.99,0.055,6,300,0.5
"""

SALES = """week,sku,price_paid,units,promo
2024-01-01,A1,59.99,10,0
2024-01-01,B2,119.90,2,0
2024-01-08,A1,49.99,15,1
2024-01-08,B2,119.90,1,0
"""
