"""A SKU's safe-plan price bound, explained in the reader's language.

The pricing layer writes each SKU's ``bound_reason`` in English, with its figures
(:mod:`optimizer.pricing.identification`): how well the elasticity is identified, the bound,
and whether the bound was raised for a SKU that sells out anyway or widened to keep the rules
feasible. An English report shows that text as is; a French one rewrites it from the same
figures, so no English reaches a French page. A reason this module does not recognise is
written from the bound alone (``±14,2 %``), or kept as given when the bound is not known.
"""

from __future__ import annotations

import re

from optimizer.report.format import Fmt

__all__ = ["sku_bound_reason"]

_NUM = r"([0-9]+(?:\.[0-9]+)?)"
_RATIO = re.compile(
    rf"90 % interval of the elasticity {_NUM} wide, {_NUM} % of its category's \({_NUM}\)"
)
_BARE = re.compile(rf"90 % interval {_NUM} wide")
_SELLOUT = re.compile(rf"rises up to \+{_NUM} % allowed: .* in at least {_NUM}% of the draws")
_WIDEN_RULES = re.compile(rf"widened to ±{_NUM} % to reach the nearest price")
_WIDEN_CAPACITY = re.compile(rf"widened to ±{_NUM} % because the bounds left")
_BOUND = re.compile(rf"(?:moves limited to|largest change allowed,) ±{_NUM} %")

#: How well the elasticity is known, by the reason's first words (most specific first).
_KINDS = (
    (
        "no own price variation",
        "prix jamais modifié dans l'historique : élasticité de sa catégorie",
    ),
    ("weakly identified", "élasticité mal identifiée"),
    ("partly identified", "élasticité partiellement identifiée"),
    ("well identified", "élasticité bien identifiée"),
    ("identified", "élasticité identifiée"),
    ("identification bound off", "borne d'identification désactivée"),
)


def _n(fmt: Fmt, text: str, decimals: int) -> str:
    return fmt.number(float(text), decimals)


def _p(fmt: Fmt, text: str, decimals: int = 1) -> str:
    """A percentage written in the reason as ``14.2`` (percent), for the reader."""
    return fmt.pct(float(text) / 100.0, decimals)


def _french(reason: str, fmt: Fmt) -> str:
    parts = []
    kind = next((fr for en, fr in _KINDS if reason.startswith(en)), None)
    if kind:
        parts.append(kind)
    m = _RATIO.search(reason)
    if m:
        parts.append(
            f"intervalle à 90 % de l'élasticité large de {_n(fmt, m[1], 2)}, soit "
            f"{_p(fmt, m[2], 0)} de celui de sa catégorie ({_n(fmt, m[3], 2)})"
        )
    elif (m := _BARE.search(reason)) is not None:
        parts.append(f"intervalle à 90 % large de {_n(fmt, m[1], 2)}")
    m = _BOUND.search(reason)
    if m:
        word = (
            "jusqu'à la variation maximale," if "largest change" in m[0] else "variation limitée à"
        )
        parts.append(f"{word} ±{_p(fmt, m[1])}")
    elif reason.startswith("identification bound off"):
        parts.append("jusqu'à la variation maximale")
    m = _SELLOUT.search(reason)
    if m:
        parts.append(
            f"hausse permise jusqu'à +{_p(fmt, m[1])} : le produit écoule encore tout son "
            f"stock dans au moins {_p(fmt, m[2], 0)} des tirages, quelle que soit son élasticité"
        )
    m = _WIDEN_RULES.search(reason)
    if m:
        parts.append(f"élargie à ±{_p(fmt, m[1])} pour atteindre le prix permis le plus proche")
    m = _WIDEN_CAPACITY.search(reason)
    if m:
        parts.append(
            f"élargie à ±{_p(fmt, m[1])} : sans cela, capacité ou stock n'auraient aucune "
            "liste de prix possible"
        )
    return " ; ".join(parts)


def sku_bound_reason(
    reason: str, lang: str, bound_pct: float | None = None, raise_pct: float | None = None
) -> str:
    """Why a SKU's price may move only so far, in ``lang``.

    Parameters
    ----------
    reason : str
        The pricing layer's ``bound_reason`` (English, with its figures).
    lang : {"fr", "en"}
        The reader's language.
    bound_pct, raise_pct : float, optional
        The SKU's bound and largest rise, percent (a fallback for a reason not recognised).
    """
    if lang != "fr" or not reason:
        return reason
    fmt = Fmt("fr")
    text = _french(reason, fmt)
    if text:
        return text
    if bound_pct is None:  # nothing to write it from: a reason written elsewhere, kept
        return reason
    text = f"variation limitée à ±{fmt.pct(bound_pct / 100.0)}"
    if raise_pct is not None and raise_pct > bound_pct + 1e-9:
        text += f", hausse jusqu'à +{fmt.pct(raise_pct / 100.0)}"
    return text
