"""A claim judged under each maximum of the likelihood when there are several (issue 9), and only then."""

from __future__ import annotations

import json

import pytest

import forecast
from forecast.cli import main
from forecast.published.check import verdict_of
from forecast.published._format import rate
from forecast.report.context import ClaimSpec, Context, ReportOptions
from forecast.report.sections.claims import _claims_table


@pytest.fixture(scope="module")
def common():
    # unpooled noise sds: the fit in which the two maxima were first found (growth about 11% and 53%)
    return forecast.fit_publishers(growth="common", noise_pooling="none")


@pytest.fixture(scope="module")
def one_mode():
    return forecast.fit_publishers()


def test_two_maxima_give_a_verdict_under_each(common):
    assert len(common.modes) == 2
    c = forecast.check_claim("2 trillion", 2019, against=common, n=200)
    m = c.modes
    assert list(m["mode"]) == [0, 1]
    for i in (0, 1):
        f = common.mode_fit(i)
        pct = 100 * float(f.predictive_at([2019]).cdf(2e12)[0])
        assert m["percentile"].iloc[i] == pytest.approx(pct)
        assert m["verdict"].iloc[i] == verdict_of(pct)
        assert m["growth"].iloc[i] == pytest.approx(f.growth_rate()[0])
        assert m["median"].iloc[i] == pytest.approx(float(f.predictive_at([2019]).median()[0]))
    # the first row is the fit judged on; the two maxima disagree on this claim
    assert m["percentile"].iloc[0] == pytest.approx(c.percentile)
    assert m["growth"].round(3).tolist() == [0.113, 0.529]
    assert m["verdict"].tolist() == ["high", "consistent"]
    assert m["delta"].iloc[1] == pytest.approx(0.41, abs=0.005)
    assert "2 maxima within 2 log-likelihood units" in c.statement and "under maximum 1" in c.statement
    d = c.to_dict()
    assert [r["verdict"] for r in d["modes"]] == ["high", "consistent"]
    row = c.to_frame().iloc[0]
    assert row["verdict[mode 1]"] == "consistent" and row["percentile[mode 1]"] == pytest.approx(m["percentile"][1])


def test_on_another_scale_each_maximum_is_judged_there(common):
    c = forecast.check_claim("3 trillion", 2020, against=common, publisher="Statista", n=200)
    for i in (0, 1):
        pct = 100 * float(common.mode_fit(i).predictive_at([2020], "Statista").cdf(3e12)[0])
        assert c.modes["percentile"].iloc[i] == pytest.approx(pct)


def test_one_maximum_adds_nothing(one_mode):
    assert len(one_mode.modes) == 1
    c = forecast.check_claim("2 trillion", 2019, against=one_mode, n=200)
    assert c.modes.empty and c.mode_verdicts == ""
    assert "maxima" not in c.statement
    assert c.to_dict()["modes"] == []
    assert not any(k.startswith("verdict[mode") for k in c.to_frame().columns)


def test_a_single_series_fit_has_no_modes():
    fit = forecast.fit(forecast.series("ic3"), model="drift")
    c = forecast.check_claim("20 billion", 2026, against=fit, n=200)
    assert c.modes.empty


def test_cli_json_and_text_give_one_line_a_maximum(capsys):
    assert main(["claim", "--value", "2 trillion", "--year", "2019", "--growth", "common", "--n", "200",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [m["verdict"] for m in out[0]["modes"]] == ["high", "consistent"]
    assert main(["claim", "--value", "2 trillion", "--year", "2019", "--growth", "common", "--n", "200"]) == 0
    text = capsys.readouterr().out
    block = text.split("Under each maximum of the likelihood")[1].split("\n\n")[0].strip().splitlines()
    assert len(block) == 1 + 1 + 2  # heading rest, column names, one line a maximum
    rates = [rate(g) for g in forecast.fit_publishers(growth="common").modes["growth"]]
    assert rates[0] == "+11.3%/yr" and rates[1].startswith("+52.")  # the default pools the noise sds a little
    assert block[2].split()[0] == "best" and rates[0] in block[2] and "high" in block[2]
    assert block[3].split()[0] == "1" and rates[1] in block[3] and "consistent" in block[3]
    assert main(["claim", "--value", "2 trillion", "--year", "2019", "--n", "200"]) == 0
    assert "Under each maximum" not in capsys.readouterr().out


def test_growth_option_is_for_the_multi_publisher_model_only(capsys):
    assert main(["claim", "--value", "20 billion", "--year", "2026", "--dataset", "ic3", "--growth", "common"]) == 2
    err = capsys.readouterr().err
    assert "--growth applies to the multi-publisher model only" in err and len(err.strip().splitlines()) == 1


def _report_tables(fit):
    ctx = Context(options=ReportOptions(), y=forecast.series("ic3"), source="IC3", name="IC3", is_ic3=True)
    ctx.publishers.set(fit)
    specs = [ClaimSpec(2e12, 2019, "$2T"), ClaimSpec(3e12, 2020, "$3T")]
    records = [(s, forecast.check_claim(s.value, s.year, against=fit, n=200)) for s in specs]
    return {b.get("label"): b for b in _claims_table(ctx, records) if isinstance(b, dict) and b.get("type") == "table"}


def test_report_claims_part_has_one_line_a_maximum(common, one_mode):
    tables = _report_tables(common)
    rows = tables["tab-claim-modes"]["rows"]
    two, three = ClaimSpec(2e12, 2019, "$2T").label, ClaimSpec(3e12, 2020, "$3T").label
    assert [(r[0], r[1].split()[0], r[4]) for r in rows] == [(two, "best", "high"), (two, "1", "consistent"),
                                                             (three, "best", rows[2][4]), (three, "1", rows[3][4])]
    assert "tab-claim-modes" not in _report_tables(one_mode)
