"""The one place numbers, money, percentages and dates are written for people.

Every writer (HTML report, Excel workbook, console) formats through :class:`Fmt`, so a figure
reads the same everywhere: in French (the default for a French store) ``1 206 277 €``,
``13,8 %``, ``2,08``, ``23/11/2026``; in English ``€1,206,277``, ``13.8%``, ``2.08``,
``2026-11-23``. Signed values say their sign (``+23 162 €``), a value that rounds to zero never
shows as ``-0``, and counts (orders, units) are whole numbers.

The Excel number formats are given here too: Excel applies the reader's own separators to
``#,##0``, so one format reads ``1 206 277 €`` in a French Excel and ``1,206,277 €`` in an
English one while the cell stays a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "Fmt",
    "Lang",
    "XL_COUNT",
    "XL_DATE",
    "XL_EUR",
    "XL_EUR_CENTS",
    "XL_PCT",
    "XL_RATIO",
    "check_lang",
    "rounded_parts",
]

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
#: The demo store and the default market are French.
DEFAULT_LANG: Lang = "fr"

# French typography: a narrow no-break space groups thousands and precedes % and €
_NNBSP = "\u202f"

#: Excel number formats (Excel shows them with the reader's own separators).
XL_EUR = '#,##0 "€";-#,##0 "€";0 "€"'
XL_EUR_CENTS = '#,##0.00 "€";-#,##0.00 "€";0.00 "€"'
XL_PCT = "0.0%"
XL_RATIO = "0.00"
XL_COUNT = "#,##0"
XL_DATE = "dd/mm/yyyy"


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is supported (``fr`` or ``en``), else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"language '{lang}' is not supported; use fr or en.")
    return lang


def _finite(x: object) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def rounded_parts(values: Sequence[float], total: float, decimals: int = 0) -> list[float]:
    """Round ``values`` so that the rounded parts add up to the rounded ``total``.

    Largest-remainder rounding: a bridge whose lines are shown in whole euros still sums to the
    total shown under it. ``values`` must add up to ``total`` (to rounding).
    """
    scale = 10.0**decimals
    target = round(total * scale)
    floors = [math.floor(v * scale) for v in values]
    rest = int(target - sum(floors))
    order = sorted(range(len(values)), key=lambda i: values[i] * scale - floors[i], reverse=True)
    out = list(floors)
    if rest >= 0:
        for i in order[:rest]:
            out[i] += 1
    else:
        for i in order[::-1][:-rest]:
            out[i] -= 1
    return [v / scale for v in out]


@dataclass(frozen=True)
class Fmt:
    """Formatter for one language.

    Attributes
    ----------
    lang : {"fr", "en"}
        Language of the reader.
    """

    lang: Lang = DEFAULT_LANG

    def __post_init__(self) -> None:
        check_lang(self.lang)

    @property
    def na(self) -> str:
        """Text for a missing value."""
        return "n.d." if self.lang == "fr" else "n/a"

    def _digits(self, v: float, decimals: int) -> str:
        text = f"{abs(v):,.{decimals}f}"
        if self.lang == "fr":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", _NNBSP)
        return text

    def _sign(self, v: float, decimals: int, sign: bool) -> str:
        if round(v, decimals) == 0:
            return ""
        if v < 0:
            return "-"
        return "+" if sign else ""

    def number(self, x: object, decimals: int = 0, *, sign: bool = False) -> str:
        """A plain number: ``1 206 277`` / ``1,206,277`` (``sign``: ``+`` on positives)."""
        v = _finite(x)
        if v is None:
            return self.na
        return self._sign(v, decimals, sign) + self._digits(v, decimals)

    def count(self, x: object, *, sign: bool = False) -> str:
        """Whole units, orders, SKUs."""
        return self.number(x, 0, sign=sign)

    def eur(self, x: object, decimals: int = 0, *, sign: bool = False) -> str:
        """Money: ``1 206 277 €`` / ``€1,206,277``; ``sign`` writes ``+23 162 €``."""
        v = _finite(x)
        if v is None:
            return self.na
        s = self._sign(v, decimals, sign)
        if self.lang == "fr":
            return f"{s}{self._digits(v, decimals)}{_NNBSP}€"
        return f"{s}€{self._digits(v, decimals)}"

    def eur_compact(self, x: object, *, sign: bool = False) -> str:
        """Money for chart axes: ``150 k€``, ``1,2 M€`` / ``€150k``, ``€1.2M``."""
        v = _finite(x)
        if v is None:
            return self.na
        a = abs(v)
        if a >= 1e6:
            body, unit = self.number(a / 1e6, 1), "M"
        elif a >= 1e3:
            k = a / 1e3
            body, unit = self.number(k, 0 if k >= 10 or k == round(k) else 1), "k"
        else:
            body, unit = self.number(a, 0), ""
        s = self._sign(v, 6, sign)
        if self.lang == "fr":
            return f"{s}{body}{_NNBSP}{unit}€"
        return f"{s}€{body}{unit}"

    def price(self, x: object, *, sign: bool = False) -> str:
        """A shelf price, to the cent: ``49,99 €``."""
        return self.eur(x, 2, sign=sign)

    def pct(self, x: object, decimals: int = 1, *, sign: bool = False) -> str:
        """A fraction as a percentage: ``0.138`` -> ``13,8 %`` / ``13.8%``."""
        v = _finite(x)
        if v is None:
            return self.na
        v = v * 100.0
        body = self._sign(v, decimals, sign) + self._digits(v, decimals)
        return f"{body}{_NNBSP}%" if self.lang == "fr" else f"{body}%"

    def points(self, x: object, decimals: int = 1) -> str:
        """A difference of two percentages, in percentage points (signed)."""
        v = _finite(x)
        if v is None:
            return self.na
        v = v * 100.0
        unit = "pt" if self.lang == "fr" else "pts"
        return f"{self._sign(v, decimals, True)}{self._digits(v, decimals)}{_NNBSP}{unit}"

    def ratio(self, x: object, decimals: int = 2) -> str:
        """A ratio such as a ROAS: ``2,08`` / ``2.08``."""
        return self.number(x, decimals)

    def date(self, d: object) -> str:
        """A day: ``23/11/2026`` / ``2026-11-23``."""
        if d is None:
            return self.na
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        if isinstance(d, datetime):
            d = d.date()
        if not isinstance(d, date):
            d = date.fromisoformat(str(d)[:10])
        return d.strftime("%d/%m/%Y") if self.lang == "fr" else d.isoformat()

    def week(self, d: object) -> str:
        """A week by its Monday, short: ``23/11`` / ``11-23``."""
        full = self.date(d)
        return full[:5] if self.lang == "fr" else full[5:]

    def month(self, d: object) -> str:
        """A month, for time axes: ``01/2025`` / ``Jan 2025``."""
        full = self.date(d)
        if self.lang == "fr":
            return full[3:]
        return date.fromisoformat(full).strftime("%b %Y")

    def eur_range(self, lo: object, hi: object, decimals: int = 0, *, sign: bool = False) -> str:
        """An interval of amounts: ``12 000 € à 30 000 €`` / ``€12,000 to €30,000``."""
        word = "à" if self.lang == "fr" else "to"
        return f"{self.eur(lo, decimals, sign=sign)} {word} {self.eur(hi, decimals, sign=sign)}"

    def pct_range(self, lo: object, hi: object, decimals: int = 1, *, sign: bool = False) -> str:
        """An interval of percentages."""
        word = "à" if self.lang == "fr" else "to"
        return f"{self.pct(lo, decimals, sign=sign)} {word} {self.pct(hi, decimals, sign=sign)}"

    def weeks(self, n: int) -> str:
        """``13 semaines`` / ``13 weeks``."""
        if self.lang == "fr":
            return f"{n} semaine" + ("s" if n > 1 else "")
        return f"{n} week" + ("s" if n != 1 else "")

    def probability(self, x: object) -> str:
        """A probability as a whole percentage, never 0 % or 100 % from rounding."""
        v = _finite(x)
        if v is None:
            return self.na
        if v >= 0.995:
            # every draw, or all but a few: "100 %" would claim a certainty no model has
            return f"> 99{_NNBSP}%" if self.lang == "fr" else "> 99%"
        if v <= 0.005:
            return f"< 1{_NNBSP}%" if self.lang == "fr" else "< 1%"
        return self.pct(v, 0)
