"""Self-contained HTML reports: inline CSS, charts embedded as base64 PNG, no external asset."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["HtmlReport", "figure_to_data_uri", "table_html"]

_CSS = """
body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;
max-width:1100px;color:#1d2733;line-height:1.45;padding:0 1rem}
h1{color:#1F3B57;border-bottom:3px solid #1F3B57;padding-bottom:.3rem}
h2{color:#1F3B57;margin-top:2.2rem;border-bottom:1px solid #c9d3dd}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #d5dde5;padding:.3rem .6rem;text-align:right}
th{background:#1F3B57;color:#fff} td:first-child,th:first-child{text-align:left}
tr:nth-child(even){background:#f4f7fa}
.kpi{display:inline-block;margin:.4rem 1rem .4rem 0;padding:.6rem 1rem;border-radius:6px;
background:#eef3f8;min-width:12rem}
.kpi b{display:block;font-size:1.25rem}
.note{color:#5b6b7b;font-size:.85rem}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:.5rem 1rem}
.ok{background:#e8f6ec;border-left:4px solid #2e9d55;padding:.5rem 1rem}
img{max-width:100%;height:auto;border:1px solid #e1e7ee;margin:.5rem 0}
pre{background:#f4f7fa;padding:.8rem;overflow-x:auto;font-size:.8rem}
"""


def figure_to_data_uri(fig: Any, dpi: int = 110) -> str:
    """Render a matplotlib figure as a ``data:image/png;base64,...`` URI and close it."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _fmt(v: object) -> str:
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        return f"{v:,.2f}".replace(",", "\u202f")
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}".replace(",", "\u202f")
    return html.escape(str(v))


def table_html(frame: pd.DataFrame, *, index: bool = False) -> str:
    """Render a frame as an HTML table with French thousands separators."""
    t = frame.reset_index() if index else frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
        for row in t.itertuples(index=False)
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
    )


@dataclass
class HtmlReport:
    """Accumulates sections and writes one self-contained HTML file.

    Attributes
    ----------
    title : str
        Page title and heading.
    subtitle : str
        Line under the heading.
    """

    title: str
    subtitle: str = ""
    _parts: list[str] = field(default_factory=list)

    def heading(self, text: str) -> None:
        """Start a section."""
        self._parts.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str, css: str = "") -> None:
        """Add escaped text (``css``: ``note``, ``warn`` or ``ok``)."""
        cls = f' class="{css}"' if css else ""
        self._parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def kpis(self, items: list[tuple[str, str]]) -> None:
        """Add KPI tiles (label, formatted value)."""
        tiles = "".join(
            f'<div class="kpi">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in items
        )
        self._parts.append(f"<div>{tiles}</div>")

    def table(self, frame: pd.DataFrame, *, index: bool = False, caption: str = "") -> None:
        """Add a table."""
        if caption:
            self._parts.append(f'<p class="note">{html.escape(caption)}</p>')
        self._parts.append(table_html(frame, index=index))

    def figure(self, fig: Any, alt: str) -> None:
        """Embed a matplotlib figure (closed afterwards)."""
        uri = figure_to_data_uri(fig)
        self._parts.append(f'<img src="{uri}" alt="{html.escape(alt)}">')

    def preformatted(self, text: str) -> None:
        """Add a block of verbatim text (e.g. the scenario file)."""
        self._parts.append(f"<pre>{html.escape(text)}</pre>")

    def render(self) -> str:
        """The whole page."""
        sub = f'<p class="note">{html.escape(self.subtitle)}</p>' if self.subtitle else ""
        body = "\n".join(self._parts)
        return (
            '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>{sub}\n{body}\n</body></html>\n"
        )

    def write(self, path: str | Path) -> None:
        """Write the page as UTF-8."""
        Path(path).write_text(self.render(), encoding="utf-8")
