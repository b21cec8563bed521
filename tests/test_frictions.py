"""Small things a new user meets in Python: a plain integer index, results shown in a notebook, units shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.data.money import format_amount
from forecast.errors import DataError
from forecast.families.base import merge_notes

Y = pd.Series(np.exp(20 + 0.3 * np.arange(10) + 0.1 * np.sin(np.arange(10))), index=range(2012, 2022))
Y.attrs["unit"] = "USD"


@pytest.mark.parametrize("index", [range(10), range(1, 11)])
def test_a_plain_zero_based_index_is_a_clear_error(index):
    y = pd.Series(Y.to_numpy(), index=index)
    with pytest.raises(DataError, match=r"is not a calendar year .*y\.index = range\(2001, 2001 \+ 10\)"):
        forecast.fit(y, model="drift")
    with pytest.raises(DataError, match="is not a calendar year"):
        forecast.backtest(y, models=["drift"])


def test_fit_result_repr_says_what_was_fitted_to_what():
    res = forecast.fit(Y, model="exponential")
    text = repr(res)
    assert text.startswith(f"<{type(res).__name__} 'exponential' fitted to series: 10 observations 2012-2021 (USD), "
                           "last")
    assert format_amount(float(Y.iloc[-1]), "USD") in text


def test_fit_result_html_shows_parameters_forecast_and_notes():
    res = forecast.fit(Y, model="drift")
    page = res._repr_html_()
    fc = res.forecast(horizon=3)
    assert "<b>drift</b> fitted to series: 10 observations 2012-2021 (USD)" in page
    for year, row in fc.iterrows():
        assert f"<td>{year.year}</td><td>{format_amount(row['median'], 'USD')}</td>" in page
        assert f"{format_amount(row['lower_95'], 'USD')} to {format_amount(row['upper_95'], 'USD')}" in page
    assert f"{res.params.loc['drift', 'estimate']:.6g}" in page
    assert page.count("<tr>") == 1 + len(res.params) + 1 + 3  # no dump of every field
    refused = forecast.fit(Y, model="logistic")  # steady growth: the capacity is not identified
    assert not refused.params["identified"].all()
    assert "No forecast:" in refused._repr_html_() and "not identified by the data" in refused._repr_html_()


def test_forecast_frames_show_their_unit():
    fc = forecast.fit(Y, model="drift").forecast(horizon=2)
    assert fc.attrs["unit"] == "USD" and fc.columns.name == "unit: USD"
    assert repr(fc).splitlines()[0].startswith("unit: USD")
    bare = forecast.fit(pd.Series(Y.to_numpy(), index=Y.index), model="drift").forecast(horizon=2)
    assert bare.columns.name is None


def test_summary_aligns_long_parameter_names_and_says_a_note_once():
    res = forecast.fit(Y, model="auto", candidates=["drift", "ets_damped"], calibrate="none")
    lines = res.summary().splitlines()
    table = lines[lines.index(next(ln for ln in lines if ln.startswith("parameter"))):]
    table = table[:table.index("")]
    assert len({len(ln) for ln in table}) == 1, table  # every row as wide as the header
    notes = [ln for ln in lines if ln.startswith("Note:")]
    assert len(notes) == len(set(notes))
    assert merge_notes(["a: x ('a' needs y)", "b: x ('b' needs y)", "c: z"]) == ["a, b: x (each needs y)", "c: z"]


def test_no_help_text_shows_a_doubled_percent_sign():
    import argparse

    from forecast.cli import build_parser

    def parsers(p):
        yield p
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from parsers(sub)

    texts = {p.prog: p.format_help() for p in parsers(build_parser())}
    assert len(texts) >= 8
    assert [prog for prog, text in texts.items() if "%%" in text] == []


def test_report_takes_model_levels_unit_and_is_callable_from_python(tmp_path, capsys):
    """report --model drift --levels 50,90 on a file whose header gives the unit; forecast.report(...) the same."""
    pypdf = pytest.importorskip("pypdf")
    from forecast.cli import main
    from forecast.report.sections.common import money

    path = tmp_path / "mine.csv"
    path.write_text("year;Losses (USD)\n" + "".join(f"{p};{v:.0f}\n" for p, v in zip(Y.index, Y.to_numpy())),
                    encoding="utf-8")
    out = tmp_path / "r.pdf"
    assert main(["report", "--csv", str(path), "--value-column", "Losses", "--model", "drift", "--levels", "50,90",
                 "--horizon", "2", "--output", str(out)]) == 0
    capsys.readouterr()
    text = " ".join(" ".join((p.extract_text() or "").replace("\xa0", " ").split())
                    for p in pypdf.PdfReader(str(out)).pages)
    y = forecast.read_series(path, value="Losses")
    assert y.attrs["unit"] == "USD"
    fc = forecast.fit(y, model="drift").forecast(horizon=2, levels=(50, 90))
    r = fc.iloc[-1]
    assert (f"2023 {money(r['median'])} {money(r['mean'])} {money(r['lower_50'])} – {money(r['upper_50'])} "
            f"{money(r['lower_90'])} – {money(r['upper_90'])}") in text
    assert "50% interval" in text and "90% interval" in text and "80% interval" not in text.split("Backtest")[0]
    assert "The model was given (drift), not chosen" in text
    again = forecast.report(tmp_path / "again.pdf", csv=str(path), value_column="Losses", year_column="year",
                            model="drift", levels=(50, 90), horizon=2)
    assert again.path.read_bytes() == out.read_bytes()


def test_publisher_fit_shows_its_summary_in_a_notebook():
    pf = forecast.fit_publishers()
    page = pf._repr_html_()
    assert page.startswith("<pre>Multi-publisher model") and page.endswith("</pre>")
    assert "Growth of the latent level" in page and pf.reference in page
    assert repr(pf).startswith(f"<PublisherFit {pf.curve}: {len(pf.data)} rows")


def test_a_claim_at_the_median_is_not_one_times_its_median():
    res = forecast.fit(Y, model="drift")
    median = float(res.forecast(horizon=2)["median"].iloc[-1])
    near = forecast.check_claim(median * 1.01, 2023, against=res)
    assert f"about the median {forecast.format_money(near.median)}" in near.statement
    assert "1 times" not in near.statement
    far = forecast.check_claim(median * 3, 2023, against=res)
    assert "3 times the median" in far.statement
