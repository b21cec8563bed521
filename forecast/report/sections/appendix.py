"""Appendix, model diagnostics: the per-model notes of the forecast's fit, each said once."""

from __future__ import annotations

import re
from typing import Any

from forecast.report.blocks import Section, bullets, para
from forecast.report.context import Context
from forecast.report.sections.series import model_notes


def grouped_notes(fit: Any) -> list[str]:
    """Per-model notes with the same wording said once, naming every model it applies to.

    Examples
    --------
    >>> class Fit:
    ...     model = "auto"
    ...     weights = {"ets": 0.5, "drift": 0.5}
    ...     options = {"candidates": ["ets", "drift"]}
    ...     notes = ["ets: missing year 2010 filled ('ets' needs consecutive years)",
    ...              "ets: seed 0", "drift: missing year 2010 filled ('drift' needs consecutive years)"]
    >>> grouped_notes(Fit())
    ['ets, drift: missing year 2010 filled (these models need consecutive years)', 'ets: seed 0']
    """
    groups: dict[str, list[str]] = {}
    for n in model_notes(fit):
        model, text = (part.strip() for part in n.split(":", 1))
        generic = re.sub(rf"'{re.escape(model)}' needs", "'<model>' needs", text)
        groups.setdefault(generic, []).append(model)
    out = []
    for generic, models in groups.items():
        text = generic.replace("'<model>' needs", "these models need" if len(models) > 1 else f"'{models[0]}' needs")
        out.append(f"{', '.join(models)}: {text}")
    return out


def section_appendix(ctx: Context) -> Section:
    """Appendix: how each model of the forecast was estimated and simulated (notes grouped, each said once)."""
    s = Section("appendix", "Appendix: model diagnostics")
    notes = grouped_notes(ctx.fit.value)
    if not notes:
        s.add(para("The forecast's model left no diagnostic notes."))
        return s
    s.add(para("How each model of the forecast in Section 2 was estimated, what its likelihood looked like, how its "
               "intervals were simulated and how it handled missing years, in the library's own words (one line "
               "per finding, naming every model it applies to)."))
    s.add(bullets(notes))
    return s
