"""The claim and scorecard commands: the seed's two figures, formats and exit codes."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from forecast.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("value,year,origin", [("2 trillion", "2019", "Juniper Research (2015)"),
                                                ("3 trillion", "2020", "McKinsey/WEF (2014)")])
def test_seed_claims_in_one_command(capsys, value, year, origin):
    import forecast

    code, out, err = run(capsys, "claim", "--value", value, "--year", year)
    assert code == 0 and err == ""
    c = forecast.check_claim(value, int(year))
    first = out.splitlines()[0]  # the statement names everything
    assert first == c.statement
    assert re.search(r"verdict (consistent|high|low|implausible) on the multi-publisher \w+ model on the "
                     r"CSIS/McAfee scale: it sits (at|above|below) the [\d.]+\w\w percentile", first)
    assert first.index("80% interval") < first.index("95% interval")
    assert "times the median to fall outside the 95% interval" in first
    assert f"likely origin is {origin}" in first and "inference" in first
    assert re.search(rf"^verdict\s+{c.verdict} \(on the CSIS/McAfee scale\)$", out, re.M)
    assert re.search(r"^crossing year\s+" + re.escape(c.crossing) + "$", out, re.M)
    assert re.search(r"^origin measure\s+" + c.origin_measure.replace("_", " "), out, re.M)
    # the verdict on every publisher scale with three or more figures, side by side
    for _, r in c.scales.iterrows():
        assert re.search(rf"^\s*{re.escape(r['scale'])}\s+{r['n_figures']}\s+{r['percentile']:.1f}\s+{r['verdict']}",
                         out, re.M)
    assert f"Published figures for {year}" in out


def test_json_matches_the_api(capsys):
    import forecast

    code, out, _ = run(capsys, "claim", "--value", "3 trillion", "--year", "2020", "--publisher", "Statista",
                       "--format", "json", "--real", "2024", "--share-of-gdp")
    assert code == 0
    rec = json.loads(out)[0]
    c = forecast.check_claim("3 trillion", 2020, publisher="Statista", real=2024, share_of_gdp=True)
    assert rec["scale"] == "Statista" and rec["percentile"] == pytest.approx(c.percentile)
    assert rec["crossing"] == c.crossing and rec["matched_id"] == "russian-mfa-2018-2020"
    assert "value_real_2024" in rec and "median_share_of_gdp" in rec
    # every field of the check is in the JSON
    assert set(c.to_dict()) == set(rec)
    for key in ("verdict", "lower_80", "upper_80", "reject_multiple", "origin_measure", "origin_note",
                "crossing_lower_80", "scale_verdicts", "statement"):
        assert rec[key] == (pytest.approx(getattr(c, key)) if isinstance(rec[key], float) else getattr(c, key))
    assert [s["scale"] for s in rec["scales"]] == list(c.scales["scale"])
    assert [s["percentile"] for s in rec["scales"]] == pytest.approx(list(c.scales["percentile"]))
    assert {f["id"] for f in rec["figures"]} == set(c.figures["id"])


def test_quadratic_publisher_model_via_dataset_name(capsys):
    code, out, _ = run(capsys, "claim", "--value", "3 trillion", "--year", "2020", "--dataset", "global_estimates",
                       "--model", "quadratic")
    assert code == 0 and "multi-publisher quadratic model on the CSIS/McAfee scale" in out


def test_claim_against_a_dataset_and_a_csv(capsys, tmp_path):
    code, out, _ = run(capsys, "claim", "--value", "30bn", "--year", "2027", "--dataset", "ic3",
                       "--model", "drift")
    assert code == 0 and "drift model of" in out
    p = tmp_path / "s.csv"
    p.write_text("yr,loss\n2015,1.0e9\n2016,1.3e9\n2017,1.5e9\n2018,2.1e9\n2019,2.5e9\n2020,3.2e9\n")
    code, out, _ = run(capsys, "claim", "--value", "10bn", "--year", "2026", "--csv", str(p),
                       "--year-column", "yr", "--value-column", "loss", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame.loc[0, "model"] == "exponential" and frame.loc[0, "year"] == 2026


@pytest.mark.parametrize("argv,needle", [
    (["claim", "--value", "3 zillion", "--year", "2020"], "zillion"),
    (["claim", "--value", "10.5", "--year", "2025"], "'10.5' has no unit"),
    (["claim", "--value", "2000000000000", "--year", "2019"], '"2 trillion", "$2T", "445bn"'),
    (["claim", "--value", "3T", "--year", "2200"], "2200"),
    (["claim", "--value", "3T", "--year", "1900"], "1900"),
    (["claim", "--value", "3T", "--year", "2020", "--publisher", "Nobody"], "unknown publisher 'Nobody'"),
    (["claim", "--value", "3T", "--year", "2020", "--model", "ets"], "--model 'ets'"),
    (["claim", "--value", "3T", "--year", "20x0"], "invalid int value"),
    (["claim", "--value", "3T", "--year", "2020", "--csv", "/nonexistent.csv"], "nonexistent.csv"),
])
def test_bad_input_is_one_line_exit_2(capsys, argv, needle):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors (Parser.error exits with 2)
        code = exc.code
    out = capsys.readouterr()
    assert code == 2
    assert out.out == "" and len(out.err.strip().splitlines()) == 1
    assert needle in out.err and "Traceback" not in out.err


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_scorecard_formats(capsys, fmt):
    code, out, err = run(capsys, "scorecard", "--format", fmt)
    assert code == 0 and err == ""
    if fmt == "csv":
        sc = pd.read_csv(io.StringIO(out))
        assert {"id", "ratio", "log_error", "in_model_95", "scale"} <= set(sc.columns)
        assert "russian-mfa-2018-2019" in set(sc["id"])
    elif fmt == "json":
        assert any(r["id"] == "cv-2016-2021" for r in json.loads(out))
    else:
        import forecast

        assert "russian-mfa-2018-2020" in out and "model 95%" in out
        # every note is shown, once, as a numbered footnote of its rows
        sc = forecast.scorecard()
        notes = list(dict.fromkeys(n for n in sc["note"] if n))
        assert notes
        for i, n in enumerate(notes, 1):
            assert f"[{i}] {n}" in out
        assert "cv-2020-2021" not in out.split("\n\n")[0].split()  # counted once, not as its own row
        assert "No outcome is a mean across publishers" in out


def test_scorecard_real_and_share(capsys):
    code, out, _ = run(capsys, "scorecard", "--format", "csv", "--real", "2024", "--share-of-gdp")
    assert code == 0
    sc = pd.read_csv(io.StringIO(out))
    assert "forecast_usd_real_2024" in sc.columns and "forecast_usd_share_of_gdp" in sc.columns
