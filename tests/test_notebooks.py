"""The notebooks: stored clean, and each executes without errors and draws its figures.

Executing them starts one ``python3`` kernel per notebook, two at a time
(marker ``notebooks``; ``make test-fast`` skips them). Notebook 5 is also run
through papermill with parameters pointing at a CSV file made here (money
strings, a column name of its own, another model and horizon), and its
forecast table is checked against the library's own numbers.
"""

from __future__ import annotations

import importlib.util
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.plots.style import display_number

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = ["01-data-and-sources", "02-growth-curves", "03-model-choice-and-backtests",
            "04-the-2-and-3-trillion-claims", "05-your-own-series", "06-panels"]
CELL_TIMEOUT = 240  # seconds per cell


def _runner():
    spec = importlib.util.spec_from_file_location("notebooks_run", NOTEBOOKS / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _errors(nb) -> list[str]:
    return [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, c in enumerate(nb.cells)
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _images(nb) -> int:
    return sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))


def _text_of(nb, starts: str) -> str:
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(starts))
    return "\n".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.get("outputs", []))


# ------------------------------------------------------------------ stored form (fast)
def test_the_notebooks_exist():
    assert [p.stem for p in _runner().notebook_paths()] == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_stored_without_outputs_with_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "stored with outputs"
    tagged = [c for c in nb.cells if "parameters" in _tags(c)]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    # the parameters cell only assigns values (papermill replaces it)
    for line in tagged[0].source.splitlines():
        assert not line.strip() or line.lstrip().startswith("#") or "=" in line
    # thin: no cell defines functions or classes of its own
    assert not any(c.source.lstrip().startswith(("def ", "class ")) for c in code)
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 3, "prose is part of the notebook"


def test_parameter_injection_follows_papermill_convention():
    run = _runner()
    nb = nbformat.read(NOTEBOOKS / "05-your-own-series.ipynb", as_version=4)
    out = run.inject_parameters(nb, {"csv": "x.csv", "horizon": 2})
    i = next(k for k, c in enumerate(out.cells) if "parameters" in _tags(c))
    injected = out.cells[i + 1]
    assert _tags(injected) == ["injected-parameters"]
    assert "csv = 'x.csv'" in injected.source and "horizon = 2" in injected.source
    assert len(out.cells) == len(nb.cells) + 1
    again = run.inject_parameters(out, {"horizon": 3})  # replaces, does not stack
    assert sum("injected-parameters" in _tags(c) for c in again.cells) == 1


# ------------------------------------------------------------------ execution
@pytest.fixture(scope="module")
def executed():
    run = _runner()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {p.stem: pool.submit(run.execute, p, None, CELL_TIMEOUT) for p in run.notebook_paths()}
        results = {name: f.result() for name, f in futures.items()}
    print(f"\nall notebooks executed in {time.perf_counter() - start:.1f} s")
    return results


@pytest.mark.notebooks
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_executes_and_draws(executed, name):
    nb = executed[name]
    assert _errors(nb) == []
    assert _images(nb) >= 1, "no figure was drawn"
    warned = [o["text"] for c in nb.cells for o in c.get("outputs", [])
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert warned == [], "a reader would see warnings"


@pytest.mark.notebooks
def test_claims_notebook_shows_the_library_verdicts(executed):
    nb = executed["04-the-2-and-3-trillion-claims"]
    model = forecast.fit_publishers()
    for starts, value, year, label in (("two = forecast.check_claim", "2 trillion", 2019, "russian-mfa-2018-2019"),
                                       ("three = forecast.check_claim", "3 trillion", 2020, "russian-mfa-2018-2020")):
        check = forecast.check_claim(value, year, against=model, label=label, n=1000, seed=0, share_of_gdp=True)
        assert _text_of(nb, starts).strip() == check.statement


@pytest.mark.notebooks
def test_own_series_notebook_on_a_user_csv(tmp_path):
    papermill = pytest.importorskip("papermill")
    years = np.arange(2009, 2021)
    values = np.round(2.0e6 * np.exp(0.21 * (years - 2009) + 0.08 * np.sin(years)), -3)
    csv = tmp_path / "my losses.csv"
    pd.DataFrame({"Year": years, "Loss": [f"${v:,.0f}" for v in values]}).to_csv(csv, index=False)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "05-your-own-series.ipynb"), str(out), kernel_name="python3",
                               cwd=str(NOTEBOOKS), progress_bar=False, execution_timeout=CELL_TIMEOUT,
                               parameters={"csv": str(csv), "year_column": "Year", "value_column": "Loss",
                                           "horizon": 4, "unit": "USD", "model": "drift"})
    nb = nbformat.read(out, as_version=4)
    assert _errors(nb) == []
    assert _images(nb) >= 3  # the series, the fan chart, the diagnostics (and the backtest comparison)
    # the forecast table is the library's: same years, same medians
    y = forecast.read_series(csv, year="Year", value="Loss", unit="USD")
    frame = forecast.fit(y, model="drift").forecast(horizon=4)
    shown = _text_of(nb, "forecast_frame = fit.forecast")
    assert [p.year for p in frame.index] == [2021, 2022, 2023, 2024]
    for year, median in zip(frame.index, frame["median"], strict=True):
        assert str(year) in shown and display_number(median) in shown
    assert "2025" not in shown


@pytest.mark.notebooks
def test_panels_notebook_on_a_user_csv(tmp_path):
    papermill = pytest.importorskip("papermill")
    rng = np.random.default_rng(0)
    rows = []
    for branch in ("north", "south", "east", "west"):
        v = np.exp(14 + np.cumsum(0.12 + 0.2 * rng.standard_normal(10)))
        rows += [{"Branch": branch, "FY": 2013 + i, "Loss": round(x, 2)} for i, x in enumerate(v)]
    csv = tmp_path / "my panel.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "06-panels.ipynb"), str(out), kernel_name="python3",
                               cwd=str(NOTEBOOKS), progress_bar=False, execution_timeout=CELL_TIMEOUT,
                               parameters={"csv": str(csv), "key_column": "Branch", "year_column": "FY",
                                           "value_column": "Loss", "unit": "EUR", "horizon": 2, "model": "drift",
                                           "backtest_origins": 2})
    nb = nbformat.read(out, as_version=4)
    assert _errors(nb) == []
    assert _images(nb) >= 3  # the small multiples and two contribution charts
    # the forecast table is the library's: the reconciled total's medians
    res = forecast.fit_panel(csv, key="Branch", year="FY", value="Loss", unit="EUR", model="drift")
    total = res.forecast(horizon=2).query("Branch == 'Total'")
    shown = _text_of(nb, "fc = res.forecast")
    for median in total["median"]:
        assert display_number(median) in shown
    assert "2024" in shown and "2025" not in shown  # data to 2022, two years ahead


@pytest.mark.notebooks
def test_export_writes_executed_notebook_and_html(executed, tmp_path):
    run = _runner()
    ipynb, page = run.export(executed["01-data-and-sources"], tmp_path / "out", "01-data-and-sources")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["01-data-and-sources.html",
                                                                   "01-data-and-sources.ipynb"]
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64") >= _images(executed["01-data-and-sources"])
    assert "How far the publishers disagree" in html
    back = nbformat.read(ipynb, as_version=4)
    assert _images(back) == _images(executed["01-data-and-sources"])


# ------------------------------------------------------------------ what the prose says (fast)
def _prose(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells)


def test_model_choice_prose_says_what_auto_does():
    import inspect

    from forecast.evaluate.auto import fit_auto

    text = " ".join(_prose("03-model-choice-and-backtests").split())
    combine_default = inspect.signature(fit_auto).parameters["combine"].default
    # the rule: with combine=True (the default) auto always combines; the prose must not describe another rule
    assert combine_default is True
    assert "no worse than the best single model" not in text
    assert "fixed in advance" in text and "equal-weight combination of every candidate" in text
    # the two accuracy tables: the notebook says why they differ and shows auto's windows re-scored
    assert "Why this table disagrees with the first one" in text and "same_windows" in text


def test_notebooks_quote_minimum_observations_from_the_library():
    import re

    mins = forecast.models().set_index("model")["min_obs"].to_dict()
    for name in EXPECTED:
        for model, n in re.findall(r'"?(\w+)"? \(?needs (\d+) observations', _prose(name)):
            assert model in mins and int(n) == mins[model], (name, model, n)
    assert "needs 6 observations" not in _prose("05-your-own-series")


def test_growth_notebook_shows_no_simulated_mean_and_draws_the_ceiling():
    text = _prose("02-growth-curves")
    table = next(line for line in text.splitlines() if line.startswith("pd.DataFrame({m: f.forecast(until=until)"))
    assert 'drop(columns=["mean", "model"])' in table
    assert "ceiling=capped.params.loc[\"K\", \"estimate\"]" in text


@pytest.mark.notebooks
def test_model_choice_notebook_rescores_autos_windows(executed):
    nb = executed["03-model-choice-and-backtests"]
    y = forecast.series("ic3")
    auto = forecast.fit(y, model="auto")
    shown = _text_of(nb, "same_windows = forecast.accuracy")
    for _, row in auto.candidates[auto.candidates["model"] != "combination"].iterrows():
        line = next(ln for ln in shown.splitlines() if f" {row['model']} " in f" {ln} ")
        assert display_number(row["mape"]) in line.split() and str(int(row["windows"])) in line.split()


@pytest.mark.notebooks
def test_own_series_notebook_short_csv_relative_path_and_no_unit(tmp_path):
    papermill = pytest.importorskip("papermill")
    years = np.arange(2016, 2021)
    pd.DataFrame({"year": years, "count": [120, 150, 210, 260, 330]}).to_csv(tmp_path / "short.csv", index=False)
    out = tmp_path / "out.ipynb"
    # run from the CSV's folder: the relative path is read from there
    papermill.execute_notebook(str(NOTEBOOKS / "05-your-own-series.ipynb"), str(out), kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False, execution_timeout=CELL_TIMEOUT,
                               parameters={"csv": "short.csv", "value_column": "count", "horizon": 3})
    nb = nbformat.read(out, as_version=4)
    assert _errors(nb) == []
    printed = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "Caveat: the residual diagnostics rest on" in printed
    assert "Caveat: coverage rests on" in printed or "No backtest:" in printed
    # a relative path that is not there: the error names the full path looked for
    with pytest.raises(papermill.PapermillExecutionError, match=str(tmp_path / "missing.csv").replace(".", r"\.")):
        papermill.execute_notebook(str(NOTEBOOKS / "05-your-own-series.ipynb"), str(tmp_path / "out2.ipynb"),
                                   kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
                                   execution_timeout=CELL_TIMEOUT, parameters={"csv": "missing.csv"})
