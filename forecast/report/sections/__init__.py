"""The report's sections, one module each, assembled from library calls.

A section function takes the :class:`~forecast.report.context.Context` and
returns a :class:`~forecast.report.blocks.Section`. It holds no statistics:
every number comes from a public library call (``forecast.fit``,
``forecast.backtest``, ``forecast.fit_publishers``, ``forecast.check_claim``,
...), made once by :mod:`forecast.report.compute` and read from the
context's typed fields, and is worded with the helpers of
:mod:`forecast.report.sections.common`. A section whose call fails is
replaced by a box giving the one-line reason; a part of a section that fails
(one chart, one table) is replaced the same way and the rest stays.
"""

from __future__ import annotations

from collections.abc import Callable

from forecast.report.blocks import Section, failure, heading, one_line, sources
from forecast.report.context import Context
from forecast.report.sections.appendix import section_appendix
from forecast.report.sections.claims import section_claims
from forecast.report.sections.common import fmt_crossing, fmt_percentile, fmt_share
from forecast.report.sections.data import section_data
from forecast.report.sections.global_cost import section_global
from forecast.report.sections.method import section_method
from forecast.report.sections.panels import section_panels
from forecast.report.sections.series import section_series

__all__ = ["SECTIONS", "build_sections", "fmt_crossing", "fmt_percentile", "fmt_share", "section_appendix",
           "section_claims",
           "section_data", "section_global", "section_method", "section_panels", "section_series"]

SectionBuilder = Callable[[Context], Section]

SECTIONS: tuple[tuple[str, str, bool, SectionBuilder], ...] = (
    # key, title if it fails, needs the global estimates, builder
    ("data", "Data and sources", False, section_data),
    ("series", "Reported losses", False, section_series),
    ("global", "The global cost of cybercrime", True, section_global),
    ("claims", "Published claims tested", True, section_claims),
    ("panels", "Where the losses are", True, section_panels),
    ("method", "Method and caveats", False, section_method),
    ("appendix", "Appendix: model diagnostics", False, section_appendix),
)


def build_sections(ctx: Context) -> list[Section]:
    """Build every section; a section that fails becomes a failure box with the reason."""
    out = []
    for key, title, needs_global, builder in SECTIONS:
        if needs_global and not ctx.options.uses_global:
            if key == "claims" and ctx.options.claims:
                pass  # a user's claims are checked against the user's series
            else:
                sec = Section(key, title, status="omitted")
                out.append(sec)
                continue
        try:
            sec = builder(ctx)
        except Exception as exc:  # noqa: BLE001 - a section that fails is reported, not fatal
            sec = Section(key, title, status="failed")
            sec.problems.append(one_line(exc))
            sec.add(failure(one_line(exc)))
        out.append(sec)
    # the source list, now that every section has cited its sources
    cited = ctx.citations()
    for sec in out:
        blocks = []
        for b in sec.blocks:
            if b.get("type") == "_sources_placeholder":
                if cited:
                    blocks += [heading("Sources"), sources(cited)]
                continue
            blocks.append(b)
        sec.blocks = blocks
    return out
