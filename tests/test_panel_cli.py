"""``panel`` command: columns, the reconciled total, one-line errors with exit status 2."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.cli import main

COLUMNS = ["series", "year", "model", "mean", "median", "lower_80", "upper_80", "lower_95", "upper_95"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_state_panel_csv(capsys):
    code, out, err = run(capsys, "panel", "--dataset", "ic3_by_state", "--through", "2024", "--horizon", "3",
                         "--model", "drift", "--format", "csv")
    assert code == 0 and err == ""
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 58 * 3 and frame["series"].iloc[0] == "Total"
    assert frame["year"].unique().tolist() == [2025, 2026, 2027]
    api = forecast.fit_panel("ic3_by_state", model="drift", through=2024).forecast(horizon=3)
    np.testing.assert_allclose(frame["median"].to_numpy(), api["median"].to_numpy(), rtol=1e-12)
    tot = frame[frame.series == "Total"]["mean"].to_numpy()
    np.testing.assert_allclose(tot, frame[frame.series != "Total"].groupby("year")["mean"].sum().to_numpy(),
                               rtol=1e-9)


def test_through_moves_the_forecast_years(capsys):
    code, out, _ = run(capsys, "panel", "--dataset", "ic3_by_state", "--through", "2021", "--horizon", "1",
                       "--model", "drift", "--reconcile", "bottom_up", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and frame["year"].unique().tolist() == [2022]


def test_crime_types_have_no_total(capsys):
    code, out, _ = run(capsys, "panel", "--dataset", "ic3_by_crime_type", "--horizon", "1", "--model", "drift",
                       "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and "Total" not in set(frame["series"]) and "BEC" in set(frame["series"])


def test_user_csv(capsys, tmp_path):
    path = tmp_path / "branches.csv"
    rows = ["branch,yr,loss"]
    rng = np.random.default_rng(0)
    for b in ("north", "south", "east"):
        v = np.exp(10 + np.cumsum(0.1 + 0.2 * rng.standard_normal(8)))
        rows += [f"{b},{2015 + i},{x:.2f}" for i, x in enumerate(v)]
    path.write_text("\n".join(rows) + "\n")
    code, out, err = run(capsys, "panel", "--csv", str(path), "--key-column", "branch", "--year-column", "yr",
                         "--value-column", "loss", "--horizon", "2", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert sorted(frame["series"].unique()) == ["Total", "east", "north", "south"]


@pytest.mark.parametrize("text, args, message", [
    ("b,year,v\nx,2020,1\nx,2020,2\n", ["--key-column", "b", "--value-column", "v"],
     "error: panel.csv, line 3: b='x', year=2020 appears more than once (one row per series and year)"),
    ("b,year,v\nx,2020,1\nx,2021,-5\n", ["--key-column", "b", "--value-column", "v"],
     "error: panel.csv, line 3, column 'v': '-5' is negative; losses must be zero or positive"),
    ("b,year,v\nx,2020,1\n", ["--key-column", "state", "--value-column", "v"],
     "error: panel.csv: key column 'state' is missing; columns are: b, year, v"),
    ("b,year,v\nx,2020,1\n", ["--key-column", "b"], "error: --csv needs --key-column and --value-column"),
])
def test_bad_input_one_line_exit_2(capsys, tmp_path, text, args, message):
    path = tmp_path / "panel.csv"
    path.write_text(text)
    code, out, err = run(capsys, "panel", "--csv", str(path), *args)
    assert code == 2 and out == ""
    assert err == message + "\n"


def test_overlapping_panel_cannot_be_reconciled(capsys):
    code, out, err = run(capsys, "panel", "--dataset", "ic3_by_crime_type", "--reconcile", "mint_shrink")
    assert code == 2 and out == "" and err.count("\n") == 1 and "overlap" in err
