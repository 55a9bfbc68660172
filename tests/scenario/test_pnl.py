from __future__ import annotations

import numpy as np
import pytest

from optimizer.scenario.joint.pnl import compute_pnl


def test_pnl_by_hand():
    # 1 sample, 2 weeks, 2 SKUs
    units = np.array([[[10.0, 0.0], [0.0, 5.0]]])
    p = compute_pnl(
        units,
        price_incl_vat=np.array([120.0, 10.55]),
        vat_rate=np.array([0.2, 0.055]),
        unit_cost=np.array([40.0, 4.0]),
        return_rate=np.array([0.3, 0.0]),
        logistics_units=np.array([1.0, 0.5]),
        cost_per_unit=np.array([6.0, 7.0]),
        media=np.array([[100.0, 50.0], [0.0, 0.0]]),
        channels=["sea", "social"],
    )
    line = {k: float(v[0]) for k, v in p.lines.items()}
    assert line["gross_revenue_incl_vat"] == pytest.approx(1200 + 52.75)
    assert line["gross_revenue_excl_vat"] == pytest.approx(1000 + 50)
    assert line["vat"] == pytest.approx(200 + 2.75)
    assert line["returns_excl_vat"] == pytest.approx(300)
    assert line["net_revenue_excl_vat"] == pytest.approx(750)
    assert line["cogs"] == pytest.approx(7 * 40 + 5 * 4)
    assert line["logistics"] == pytest.approx(10 * 6 + 5 * 0.5 * 7)
    assert line["media_sea"] == 100 and line["media_social"] == 50
    assert line["contribution"] == pytest.approx(750 - 300 - 77.5 - 150)
    t = p.table()
    assert list(t["line"])[:3] == ["gross_revenue_incl_vat", "vat", "gross_revenue_excl_vat"]
    assert "media_sea" in list(t["line"])
