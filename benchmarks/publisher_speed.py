"""Speed of the multi-publisher part of the report, step by step (CPU and wall seconds).

Run ``python benchmarks/publisher_speed.py`` (``--runs N``: N fresh
processes, medians printed; ``--profile``: a cProfile of one run's steps).
The steps are the calls the report makes, in its order, on the bundled data:

1. ``model``: ``forecast.fit_publishers()``;
2. ``sensitivity``: ``fit.sensitivity(claims=...)`` with the seed's two claims;
3. ``claims``: the two headline claims (``check_claim``, 4,000 paths each),
   the scorecard, and every catalogued forecast still to come (1,000 paths
   each), as ``forecast.report.compute.compute_claims`` does;
4. ``global section``: what the global-cost section and the title page
   compute (the publisher chart's band from the first data year to the
   horizon, the latent forecast table, the title page's forecast: three
   forecast frames with their truncated means).

Nothing here is a timed test; figures go in the final report of the change
that measured them.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLAIMS = [(2e12, 2019), (3e12, 2020)]
HORIZON_YEAR = 2030  # the report's horizon year on IC3 (last year 2024 + 6)
STEPS = ("model", "sensitivity", "claims", "global section")


def _steps() -> dict[str, float]:
    """One run of the four steps in this process: {step: (cpu, wall)}."""
    import pandas as pd

    import forecast
    from forecast.published.catalog import claims as claim_catalog
    from forecast.report.context import LEVELS

    out = {}

    def timed(name, fn):
        c0, w0 = time.process_time(), time.perf_counter()
        res = fn()
        out[name] = (time.process_time() - c0, time.perf_counter() - w0)
        return res

    fit = timed("model", lambda: forecast.fit_publishers())
    timed("sensitivity", lambda: fit.sensitivity(claims=CLAIMS))

    def claims():
        recs = [forecast.check_claim(v, y, against=fit) for v, y in CLAIMS]
        forecast.scorecard(fit)
        cat = claim_catalog()
        cat = cat[pd.to_numeric(cat["target_year"], errors="coerce") > fit.last_year]
        for _, row in cat.sort_values(["target_year", "published_year"]).iterrows():
            own = str(row["publisher"]) if str(row["publisher"]) in fit.publishers else None
            try:
                recs.append(forecast.check_claim(float(row["value_usd"]), int(row["target_year"]), against=fit,
                                                 label=str(row["id"]), publisher=own, n=1000))
            except forecast.ForecastError:
                pass
        return recs
    timed("claims", claims)

    def section():
        years = list(range(fit.first_year, HORIZON_YEAR + 1))
        fit.predictive_at(years).to_frame(levels=(95,), model=fit.model, unit=fit.unit)
        fit.forecast(until=HORIZON_YEAR, levels=LEVELS)
        fit.forecast(publisher=fit.reference, until=HORIZON_YEAR)
    timed("global section", section)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="fresh processes (medians printed)")
    ap.add_argument("--profile", action="store_true", help="cProfile one run's steps (top 40 by cumulative time)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_steps()))
        return
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(_steps)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return
    runs = []
    for _ in range(args.runs):
        res = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, check=True)
        runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    print(f"{'step':<16}{'CPU s':>8}{'wall s':>8}   (medians of {args.runs} fresh processes)")
    tot_c = tot_w = 0.0
    for s in STEPS:
        c = statistics.median(r[s][0] for r in runs)
        w = statistics.median(r[s][1] for r in runs)
        tot_c += c
        tot_w += w
        print(f"{s:<16}{c:>8.2f}{w:>8.2f}")
    print(f"{'total':<16}{tot_c:>8.2f}{tot_w:>8.2f}")


if __name__ == "__main__":
    main()
