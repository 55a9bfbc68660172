"""Self-contained HTML reports: inline CSS, charts embedded as base64 PNG, no external asset.

The page fits a desktop window without sideways scrolling and prints on A4 (the executive
summary on its own page, tables and charts never cut across pages). Figures a test checks
against ``summary.json`` carry ``data-key`` (their path in the summary) and ``data-value``
(the number itself) attributes.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.report.format import DEFAULT_LANG, Fmt, Lang
from optimizer.report.tables import Table

__all__ = ["HtmlReport", "figure_to_data_uri", "num", "summary_num", "table_html"]

_CSS = """
*{box-sizing:border-box}
body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:1.5rem auto;
max-width:1100px;color:#1d2733;line-height:1.45;padding:0 1rem;font-size:15px}
h1{color:#1F3B57;border-bottom:3px solid #1F3B57;padding-bottom:.3rem;margin-bottom:.3rem}
h2{color:#1F3B57;margin-top:2rem;border-bottom:1px solid #c9d3dd;break-after:avoid}
h3{color:#1F3B57;margin:1.2rem 0 .4rem;break-after:avoid}
nav{font-size:.85rem;margin:.4rem 0 1rem}
nav a{margin-right:.9rem;color:#3C7DC4;text-decoration:none;white-space:nowrap}
table{border-collapse:collapse;margin:.6rem 0;font-size:.82rem;width:100%}
th,td{border:1px solid #d5dde5;padding:.25rem .45rem;vertical-align:top}
th{background:#1F3B57;color:#fff;font-weight:600;text-align:center}
td{text-align:left;overflow-wrap:break-word} td.n,td.c{white-space:nowrap} td.n{text-align:right}
tr:nth-child(even){background:#f4f7fa} tr.total td{font-weight:700;background:#e4eaf1}
tr{break-inside:avoid}
.kpis{display:flex;flex-wrap:wrap;gap:.6rem;margin:.6rem 0}
.kpi{flex:1 1 11rem;padding:.55rem .8rem;border-radius:6px;background:#eef3f8;font-size:.85rem}
.kpi b{display:block;font-size:1.25rem;color:#1F3B57}
.kpi small{display:block;color:#5b6b7b}
.lead{font-size:1.12rem;background:#f3f7fb;border-left:5px solid #1F3B57;padding:.7rem 1rem;
margin:.8rem 0}
.note{color:#5b6b7b;font-size:.85rem}.num{white-space:nowrap}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:.5rem 1rem}
.ok{background:#e8f6ec;border-left:4px solid #2e9d55;padding:.5rem 1rem}
.info{background:#eef3f8;border-left:4px solid #3C7DC4;padding:.5rem 1rem}
.cols{display:flex;flex-wrap:wrap;gap:1rem}.cols>div{flex:1 1 22rem;min-width:0}
ul{margin:.3rem 0 .6rem;padding-left:1.3rem} li{margin:.15rem 0}
img{max-width:100%;height:auto;border:1px solid #e1e7ee;margin:.4rem 0;break-inside:avoid}
figure{margin:.4rem 0;break-inside:avoid} figcaption{color:#5b6b7b;font-size:.8rem}
details{margin:.5rem 0} summary{cursor:pointer;color:#3C7DC4}
pre{background:#f4f7fa;padding:.8rem;font-size:.78rem;white-space:pre-wrap;overflow-wrap:anywhere}
.pagebreak{break-after:page}
@page{size:A4;margin:12mm}
@media print{html{font-size:10px}body{margin:0;max-width:none;font-size:10px;padding:0}
nav{display:none}table{font-size:8px}th,td{padding:.1rem .25rem}h1{font-size:1.7rem}
.summary img{max-height:62mm;width:auto;display:block;margin:0 auto}
.summary table{font-size:9px}.summary .note{font-size:8.5px}
.summary .lead{font-size:1.2rem;padding:.4rem .8rem;margin:.4rem 0}
.summary .warn,.summary .info,.summary .ok{padding:.25rem .8rem;margin:.3rem 0}
.summary .kpis{margin:.3rem 0}.summary .kpi{padding:.3rem .6rem}
.summary h3{margin:.5rem 0 .2rem}
h2{margin-top:1rem}details>*{display:block}.kpi b{font-size:1.05rem}}
"""


def figure_to_data_uri(fig: Any, dpi: int = 110) -> str:
    """Render a matplotlib figure as a ``data:image/png;base64,...`` URI and close it."""
    import matplotlib.pyplot as plt  # lazy: matplotlib loads in seconds

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def num(text: str, key: str | None = None, value: float | None = None) -> str:
    """A figure as HTML, tagged with its ``summary.json`` path and value when given."""
    if key is None:
        return f'<span class="num">{html.escape(text)}</span>'
    return (
        f'<span class="num" data-key="{html.escape(key)}" data-value="{value!r}">'
        f"{html.escape(text)}</span>"
    )


def summary_num(summary: dict[str, Any], key: str, show: Callable[[Any], str]) -> str:
    """The figure at ``key`` of a summary, written by ``show``, as HTML tagged with its path.

    Parameters
    ----------
    summary : dict
        The run's summary (``summary.json``).
    key : str
        Dotted path of the figure, e.g. ``"kpis.contribution.plan.mean"``.
    show : callable
        Writes the value for the reader, e.g. ``fmt.eur``.
    """
    value: Any = summary
    for part in key.split("."):
        value = value[part]
    return num(show(value), key, value)


def table_html(frame: pd.DataFrame, *, index: bool = False, fmt: Fmt | None = None) -> str:
    """Render a plain frame (numbers formatted by ``fmt``, French by default)."""
    t = frame.reset_index() if index else frame
    kinds = {
        c: ("count" if pd.api.types.is_integer_dtype(t[c]) else "ratio")
        for c in t.columns
        if pd.api.types.is_numeric_dtype(t[c]) and not pd.api.types.is_bool_dtype(t[c])
    }
    return render_table(Table(t, kinds=kinds), fmt or Fmt(DEFAULT_LANG))


def render_table(table: Any, fmt: Fmt) -> str:
    """Render a :class:`~optimizer.report.tables.Table` (with its total row)."""
    t = table.frame
    cols = [str(c) for c in t.columns]
    head = "".join(f"<th>{html.escape(table.header(c))}</th>" for c in cols)
    body = []
    for i, row in enumerate(t.itertuples(index=False)):
        cells = []
        for c, v in zip(cols, row, strict=True):
            css = table.css(c)
            cls = f' class="{css}"' if css else ""
            cells.append(f"<td{cls}>{html.escape(table.cell(fmt, c, v, i))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if table.totals and len(t):
        cells = []
        for i, c in enumerate(cols):
            if c in table.totals:
                text = table.cell(fmt, c, float(pd.to_numeric(t[c]).sum()))
                cells.append(f'<td class="n">{html.escape(text)}</td>')
            else:
                cells.append(f"<td>{html.escape(table.total_label) if i == 0 else ''}</td>")
        body.append('<tr class="total">' + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


@dataclass
class HtmlReport:
    """Accumulates sections and writes one self-contained HTML file.

    Attributes
    ----------
    title : str
        Page title and heading.
    subtitle : str
        Line under the heading.
    lang : {"fr", "en"}
        Language of the page (its ``lang`` attribute and number formats).
    """

    title: str
    subtitle: str = ""
    lang: Lang = DEFAULT_LANG
    _parts: list[str] = field(default_factory=list)
    _nav: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fmt(self) -> Fmt:
        """Formatter in the page's language."""
        return Fmt(self.lang)

    def heading(self, text: str, anchor: str | None = None) -> None:
        """Start a section (listed in the navigation bar when it has an ``anchor``)."""
        if anchor:
            self._nav.append((anchor, text))
            self._parts.append(f'<h2 id="{html.escape(anchor)}">{html.escape(text)}</h2>')
        else:
            self._parts.append(f"<h2>{html.escape(text)}</h2>")

    def subheading(self, text: str) -> None:
        """A heading inside a section."""
        self._parts.append(f"<h3>{html.escape(text)}</h3>")

    def paragraph(self, text: str, css: str = "") -> None:
        """Add escaped text (``css``: ``note``, ``warn``, ``ok``, ``info`` or ``lead``)."""
        cls = f' class="{css}"' if css else ""
        self._parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def markup(self, fragment: str) -> None:
        """Add HTML built by a writer (every text in it already escaped)."""
        self._parts.append(fragment)

    def bullets(self, items: list[str], *, escaped: bool = False) -> None:
        """A bulleted list (``escaped``: the items are HTML already)."""
        lis = "".join(f"<li>{i if escaped else html.escape(i)}</li>" for i in items)
        self._parts.append(f"<ul>{lis}</ul>")

    def kpis(self, items: Sequence[tuple[str, ...]]) -> None:
        """KPI tiles: (label, value) or (label, value as HTML, note); values from :func:`num`."""
        tiles = []
        for item in items:
            k, v = item[0], item[1]
            note = f"<small>{html.escape(item[2])}</small>" if len(item) > 2 else ""
            value = v if v.startswith("<span") else html.escape(v)
            tiles.append(f'<div class="kpi">{html.escape(k)}<b>{value}</b>{note}</div>')
        self._parts.append(f'<div class="kpis">{"".join(tiles)}</div>')

    def table(self, frame: Any, *, index: bool = False, caption: str = "") -> None:
        """Add a :class:`~optimizer.report.tables.Table` or a plain frame."""
        if caption:
            self._parts.append(f'<p class="note">{html.escape(caption)}</p>')
        if isinstance(frame, pd.DataFrame):
            self._parts.append(table_html(frame, index=index, fmt=self.fmt))
        else:
            self._parts.append(render_table(frame, self.fmt))

    def figure(self, fig: Any, alt: str, caption: str = "") -> None:
        """Embed a matplotlib figure (closed afterwards)."""
        uri = figure_to_data_uri(fig)
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self._parts.append(f'<figure><img src="{uri}" alt="{html.escape(alt)}">{cap}</figure>')

    def details(self, summary: str, fragment: str) -> None:
        """A folded block (opened on click, printed open); ``fragment`` is escaped HTML."""
        self._parts.append(
            f"<details><summary>{html.escape(summary)}</summary>{fragment}</details>"
        )

    def preformatted(self, text: str) -> None:
        """Add a block of verbatim text (e.g. the scenario file)."""
        self._parts.append(f"<pre>{html.escape(text)}</pre>")

    def page_break(self) -> None:
        """Start a new page when printed."""
        self._parts.append('<div class="pagebreak"></div>')

    def render(self) -> str:
        """The whole page."""
        sub = f'<p class="note">{html.escape(self.subtitle)}</p>' if self.subtitle else ""
        nav = ""
        if self._nav:
            links = "".join(
                f'<a href="#{html.escape(a)}">{html.escape(t)}</a>' for a, t in self._nav
            )
            nav = f"<nav>{links}</nav>"
        body = "\n".join(self._parts)
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>{sub}{nav}\n{body}\n</body></html>\n"
        )

    def write(self, path: str | Path) -> None:
        """Write the page as UTF-8."""
        Path(path).write_text(self.render(), encoding="utf-8")
