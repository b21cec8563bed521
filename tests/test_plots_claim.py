"""Claim chart: the distribution for the claim's year, the claim at its value, the library's percentile."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.published._format import money
from forecast.published._format import percentile as percentile_text
from forecast.errors import ForecastError
from forecast.plots import claim_chart


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(7)
    y = pd.Series(np.exp(np.log(1e9) + 0.2 * np.arange(12) + 0.05 * rng.standard_normal(12)),
                  index=range(2010, 2022))
    y.attrs["unit"] = "USD"
    return forecast.fit(y, model="exponential")


def _claim_line(ax):
    return [ln for ln in ax.lines if ln.get_gid() == "claim"][0]


def test_claim_at_its_value_with_the_library_percentile(fit):
    check = forecast.check_claim(2e10, 2025, against=fit, n=200)
    fig = claim_chart(check, against=fit)
    ax = fig.axes[0]
    marker = _claim_line(ax)
    assert marker.get_xdata()[0] == pytest.approx(2e10)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{money(2e10)} for 2025\n{percentile_text(check.percentile)}"]
    assert ax.get_xscale() == "log"
    # the median line sits at the library's median of that year
    med = [ln for ln in ax.lines if ln.get_label().startswith("Median")][0]
    assert med.get_xdata()[0] == pytest.approx(check.median, rel=1e-9)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"Claim {money(2e10)}" in legend and any(t.startswith("80% interval") for t in legend)


def test_density_is_the_predictive_density(fit):
    check = forecast.check_claim(1.5e10, 2024, against=fit, n=200)
    ax = claim_chart(check, against=fit).axes[0]
    curve = [ln for ln in ax.lines if ln.get_label() == "Predictive distribution"][0]
    x, d = curve.get_xdata(), curve.get_ydata()
    # closed form: log10 value is Student t with the fit's loc/scale/df, rescaled to base 10
    pred = fit.predictive(until=2024)
    loc, scale, df = pred.loc[-1] / np.log(10), pred.scale[-1] / np.log(10), float(pred.df[-1])
    expected = stats.t.pdf(np.log10(x), df=df, loc=loc, scale=scale)
    np.testing.assert_allclose(d[5:-5], expected[5:-5], rtol=2e-3, atol=1e-4 * expected.max())
    # the area under the curve (on log10 value) is one
    assert np.trapezoid(d, np.log10(x)) == pytest.approx(1.0, abs=2e-3)
    # the marker sits on the curve at the claim
    marker = _claim_line(ax)
    assert marker.get_ydata()[0] == pytest.approx(np.interp(np.log10(1.5e10), np.log10(x), d))
    # bands: the 80% band lies inside the 95% band and spans its quantiles
    bands = {c.get_label()[:3]: c.get_paths()[0].vertices[:, 0] for c in ax.collections if len(c.get_paths())}
    assert bands["80%"].min() >= bands["95%"].min() and bands["80%"].max() <= bands["95%"].max()
    assert bands["80%"].min() == pytest.approx(pred.quantile(0.1)[-1], rel=0.01)
    assert bands["80%"].max() == pytest.approx(pred.quantile(0.9)[-1], rel=0.01)


def test_tuple_form_checks_the_claim_here(fit):
    fig = claim_chart((fit, "30 billion", 2025), n=200)
    check = forecast.check_claim("30 billion", 2025, against=fit, n=200)
    assert [t.get_text() for t in fig.axes[0].texts] == [f"{money(3e10)} for 2025\n{percentile_text(check.percentile)}"]


def test_multi_publisher_scale():
    pf = forecast.fit_publishers()
    check = forecast.check_claim("3 trillion", 2020, against=pf, n=200)
    fig = claim_chart(check, against=pf)
    ax = fig.axes[0]
    assert _claim_line(ax).get_xdata()[0] == pytest.approx(3e12)
    assert percentile_text(check.percentile) in ax.texts[0].get_text()
    assert pf.reference in ax.get_title(loc="left")


def test_mismatched_fit_and_bad_input(fit):
    check = forecast.check_claim(2e10, 2025, against=fit, n=200)
    other = forecast.fit(fit.y * 3, model="exponential")
    with pytest.raises(ForecastError, match="does not match"):
        claim_chart(check, against=other)
    # the check carries the distribution it was judged on: no fit needed
    ax = claim_chart(check).axes[0]
    assert _claim_line(ax).get_xdata()[0] == pytest.approx(2e10)
    import dataclasses

    bare = dataclasses.replace(check, distribution=None)
    with pytest.raises(ForecastError, match="against="):
        claim_chart(bare)
    with pytest.raises(ForecastError, match="fit, value, year"):
        claim_chart((fit, 1.0))


def test_heavy_tails_keep_a_readable_range():
    # a Student t with few degrees of freedom has astronomically far 0.05% quantiles; the chart
    # spans the 95% interval and a quarter of its log width either side (and the claim)
    from forecast.intervals import Predictive, year_index
    from forecast.plots.claim import _density

    pred = Predictive(year_index([2020]), loc=[np.log(8e11)], scale=[0.5], df=1.9)
    lo95, hi95 = float(pred.quantile(0.025)[0]), float(pred.quantile(0.975)[0])
    assert float(pred.quantile(0.9995)[0]) / hi95 > 1e3  # the tail that used to blow up the axis
    grid = np.logspace(np.log10(lo95) - 1, np.log10(hi95) + 1, 400)
    d = _density(pred, grid)
    assert np.all(np.isfinite(d)) and np.all(d >= -1e-12)
    pf = forecast.fit_publishers()
    check = forecast.check_claim("2 trillion", 2019, against=pf, n=200)
    ax = claim_chart(check, against=pf).axes[0]
    dist = check.distribution
    q025, q975 = float(dist.quantile(0.025)[0]), float(dist.quantile(0.975)[0])
    width = np.log10(q975 / q025)
    x = [ln for ln in ax.lines if ln.get_label() == "Predictive distribution"][0].get_xdata()
    assert x[0] == pytest.approx(min(q025 / 10 ** (width / 4), 2e12 / 1.6), rel=1e-6)
    assert x[-1] == pytest.approx(max(q975 * 10 ** (width / 4), 2e12 * 1.6), rel=1e-6)


def test_claim_check_and_publisher_fit_plot_delegate_to_the_charts():
    import matplotlib.pyplot as plt

    import forecast

    pub = forecast.fit_publishers()
    check = forecast.check_claim("3 trillion", 2020, against=pub, n=400)
    fig = check.plot()
    ax = fig.axes[0]
    claim_lines = [ln for ln in ax.get_lines() if ln.get_gid() == "claim"]
    assert claim_lines and claim_lines[0].get_xdata()[0] == pytest.approx(3e12)
    fig2 = pub.plot()
    assert fig2.axes[0].get_yscale() == "log"
    plt.close("all")
    assert check.distribution is not None  # what plot() draws, without the fit
    med = [ln for ln in ax.lines if ln.get_label().startswith("Median")][0]
    assert med.get_xdata()[0] == pytest.approx(float(pub.predictive_at([2020]).median()[0]))


def test_claims_band_chart_covers_the_claims_years_and_nothing_hides_anything():
    from matplotlib.transforms import Bbox

    from forecast.plots.claim import claims_band_chart

    pf = forecast.fit_publishers()
    claims = [(2019, 2e12, "Russian MFA $2T"), (2019, 2.1e12, "Juniper $2.1T"), (2020, 3e12, "Russian MFA $3T"),
              (2020, 3e12, "McKinsey/WEF $3T")]
    years = range(2012, 2025)
    for publisher in (None, "Statista"):
        fig = claims_band_chart(pf, claims, years=years, publisher=publisher)
        ax = fig.axes[0]
        kw = {} if publisher is None else {"publisher": publisher}
        pred = pf.predictive_at(list(years), **kw)
        # the bands are the model's intervals for every year, the claims' years included
        bands = {c.get_label(): c.get_paths()[0].vertices for c in ax.collections if c.get_label().endswith("interval")}
        for lv, (a, b) in {"80% interval": (0.1, 0.9), "95% interval": (0.025, 0.975)}.items():
            v = bands[lv]
            xs = sorted(set(np.round(v[:, 0], 6)))
            assert xs[0] <= 2019 and xs[-1] >= 2020
            for j, y in enumerate(years):
                at = v[np.isclose(v[:, 0], y)][:, 1]
                assert at.min() == pytest.approx(float(pred.quantile(a)[j]), rel=1e-9)
                assert at.max() == pytest.approx(float(pred.quantile(b)[j]), rel=1e-9)
        # every claim drawn, no marker on another marker or on a publisher's own figure
        marks = [ln for ln in ax.lines if ln.get_gid() == "claims"][0]
        pts = np.column_stack([marks.get_xdata(), marks.get_ydata()])
        assert len(pts) == 4 and len({tuple(p) for p in pts}) == 4
        obs = pf.observations(**kw)
        obs_pts = {(float(p.year), float(v)) for p, v in obs.items()}
        assert not obs_pts & {tuple(map(float, p)) for p in pts}
        assert all(abs(x - y) < 0.8 for x, (y, _, _) in zip(pts[:, 0], claims))
        # labels: one per claim, with its share of world GDP, and no two overlapping
        fig.canvas.draw()
        labels = [t for t in ax.texts if t.get_gid() == "claim-label"]
        assert len(labels) == 4
        share = forecast.share_of_gdp(2e12, year=2019)
        assert any(f"{100 * share:.2g}% of world GDP 2019" in t.get_text() for t in labels)
        from matplotlib.text import Text

        renderer = fig.canvas.get_renderer()
        boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the text, without its leader line
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not Bbox.intersection(boxes[i], boxes[j]) or \
                    Bbox.intersection(boxes[i], boxes[j]).height <= 0.5, (labels[i].get_text(), labels[j].get_text())
