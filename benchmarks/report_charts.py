"""Speed of the report's charts, section layout and typesetting (no statistics timed).

Run ``python benchmarks/report_charts.py [--runs 3] [--png DIR]``. The
library results the report needs (fits, the multi-publisher model, claims,
panels) are computed once, as ``build_report`` does; then the sections are
built ``--runs`` times and each part that draws a chart is timed, split into
drawing (the part's own work, including any numbers it asks for) and saving
the SVG (``svg_bytes``), in CPU seconds (``time.process_time``) and wall
seconds; then the PDF is typeset with Typst ``--runs`` times. Medians of the
runs are printed.

``--png DIR`` also writes each page of the PDF as PNG (Typst's own renderer,
150 ppi) and each chart as its own PNG, to look at.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _context():
    """The report's context with every library result computed (what build_report does before drawing)."""
    from forecast.data.money import parse_money
    from forecast.report import DEFAULT_CLAIMS, ReportOptions, compute, load_series
    from forecast.report import _series_meta
    from forecast.report.context import ClaimSpec, Context

    options = ReportOptions()
    y = load_series(options)
    name, source, is_ic3 = _series_meta(y)
    ctx = Context(options=options, y=y, source=source, name=name, is_ic3=is_ic3)
    ctx.claim_specs = [ClaimSpec(parse_money(t), yr, t) for t, yr in DEFAULT_CLAIMS]
    for step in (compute.compute_models, compute.compute_publishers, compute.compute_claims,
                 compute.compute_panels):
        step(ctx)
    return ctx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--png", type=pathlib.Path, default=None, help="write pages and charts as PNG here")
    args = parser.parse_args(argv)

    import matplotlib.style

    import forecast.report.blocks as blocks
    import forecast.report.context as context
    from forecast.report import report_timestamp
    from forecast.report.figures import svg_bytes
    from forecast.report.sections import build_sections
    from forecast.report.title import title_page
    from forecast.report.typst_render import compile_pdf

    t0 = time.perf_counter()
    ctx = _context()
    print(f"library results computed once in {time.perf_counter() - t0:.1f} s (not part of the figures below)")

    parts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    saves: dict[str, list[tuple[float, float]]] = defaultdict(list)
    figs_of_part: dict[str, str] = {}
    current: list[str] = []

    def add_figure(self, stem, fig):
        c, w = time.process_time(), time.perf_counter()
        name = f"fig-{len(self.figures) + 1:02d}-{stem}.svg"
        self.figures[name] = svg_bytes(fig)
        saves[stem].append((time.process_time() - c, time.perf_counter() - w))
        if current:
            figs_of_part[current[-1]] = stem
        return name

    original_part = blocks.Section.part

    def part(self, name, build):
        key = f"{self.key}: {name}"
        current.append(key)
        c, w = time.process_time(), time.perf_counter()
        try:
            return original_part(self, name, build)
        finally:
            parts[key].append((time.process_time() - c, time.perf_counter() - w))
            current.pop()

    context.Context.add_figure = add_figure
    blocks.Section.part = part
    sections_t: list[tuple[float, float]] = []
    typst_t: list[tuple[float, float]] = []
    pdf = b""
    for _ in range(args.runs):
        ctx.figures = {}
        ctx._citations = {}
        c, w = time.process_time(), time.perf_counter()
        with matplotlib.style.context("default"):
            secs = build_sections(ctx)
        sections_t.append((time.process_time() - c, time.perf_counter() - w))
        title = title_page(ctx, secs)
        problems = [p for s in secs for p in s.problems]
        if problems:
            print("problems:", problems)
        document = {"meta": title["meta"], "title_page": title["title_page"],
                    "sections": [s.to_json() for s in secs if s.status != "omitted"]}
        c, w = time.process_time(), time.perf_counter()
        pdf = compile_pdf(document, ctx.figures, timestamp=report_timestamp(ctx.y))
        typst_t.append((time.process_time() - c, time.perf_counter() - w))

    def med(xs, i):
        return statistics.median(x[i] for x in xs)

    print(f"\n{'chart (part of the report)':<44} {'draw cpu':>9} {'draw wall':>9} {'svg cpu':>8} {'svg wall':>8}"
          f" {'svg kB':>7}")
    tot = [0.0, 0.0, 0.0, 0.0]
    for key, stem in figs_of_part.items():
        sv = saves[stem]
        draw_c = med(parts[key], 0) - med(sv, 0)
        draw_w = med(parts[key], 1) - med(sv, 1)
        size = next(len(v) for k, v in ctx.figures.items() if k.endswith(f"-{stem}.svg")) / 1000
        print(f"{key:<44} {draw_c:9.3f} {draw_w:9.3f} {med(sv, 0):8.3f} {med(sv, 1):8.3f} {size:7.0f}")
        for i, v in enumerate((draw_c, draw_w, med(sv, 0), med(sv, 1))):
            tot[i] += v
    print(f"{'all charts':<44} {tot[0]:9.3f} {tot[1]:9.3f} {tot[2]:8.3f} {tot[3]:8.3f}")
    print(f"{'all sections (charts, tables, text)':<44} {med(sections_t, 0):9.3f} {med(sections_t, 1):9.3f}")
    print(f"{'Typst compile':<44} {med(typst_t, 0):9.3f} {med(typst_t, 1):9.3f}   "
          f"(PDF {len(pdf) / 1000:.0f} kB, SVG total {sum(map(len, ctx.figures.values())) / 1000:.0f} kB)")
    print(f"{'charts + Typst':<44} {tot[0] + tot[2] + med(typst_t, 0):9.3f} "
          f"{tot[1] + tot[3] + med(typst_t, 1):9.3f}")
    print(f"runs: {args.runs}, medians; wall per run of the sections: "
          f"{', '.join(f'{w:.2f}' for _, w in sections_t)}")
    if args.png:
        _pngs(args.png, document, ctx.figures, report_timestamp(ctx.y))
    return 0


def _pngs(out: pathlib.Path, document, figures, timestamp) -> None:
    """Each page of the PDF as PNG (Typst at 150 ppi) and each chart as PNG."""
    import shutil
    import tempfile

    import typst

    from forecast.report.typst_render import DATA_FILE, TEMPLATE, template_text

    out.mkdir(parents=True, exist_ok=True)
    import json

    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / TEMPLATE).write_text(template_text(), encoding="utf-8")
        (root / DATA_FILE).write_text(json.dumps(document, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        shutil.copy(root / DATA_FILE, out / DATA_FILE)
        for name, svg in figures.items():
            (root / name).write_bytes(svg)
            shutil.copy(root / name, out / name)
        pages = typst.Compiler(root=str(root), ignore_system_fonts=True).compile(
            str(root / TEMPLATE), format="png", ppi=150, timestamp=timestamp)
    pages = pages if isinstance(pages, list) else [pages]
    for i, png in enumerate(pages, 1):
        (out / f"page-{i:02d}.png").write_bytes(png)
    print(f"wrote {len(pages)} pages and {len(figures)} charts to {out}")


if __name__ == "__main__":
    sys.exit(main())
