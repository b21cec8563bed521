"""The bundled datasets: list them, load them typed, take annual series from them.

The CSV files live in the checkout's top-level ``data/`` folder; an installed
wheel ships the same files as ``forecast/_data``. Every row carries its source
URL, a confidence (``high`` or ``medium``) and a note; ``data/README.md``
describes each file and column.

Examples
--------
>>> from forecast.data.registry import datasets, load, series
>>> sorted(datasets()["name"])[:2]
['global_estimates', 'ic3']
>>> y = series("ic3")
>>> y.attrs["unit"], y.index.freqstr, int(y.index[-1].year)
('USD', 'Y-DEC', 2024)
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
import numpy as np
import pandas as pd

from forecast.data._years import annual_index
from forecast.errors import DataError

#: Controlled vocabulary of the ``measure`` column of ``global_estimates``:
#: what a figure counts. Figures with different measures do not belong on one curve.
MEASURES: dict[str, str] = {
    "total_cost": "annual global cost of cybercrime as the publisher defines it: victim losses plus "
                  "some of defence, recovery, opportunity and reputational costs",
    "reported_victim_losses": "losses that victims reported to a reporting centre (self-reported, unverified, "
                              "a lower bound on direct losses)",
    "criminal_revenue": "revenues earned by criminals per year, not the cost to victims",
    "cumulative_total": "a total over several years (value at risk or costs over the period), not an annual figure",
    "scenario_impact": "economic impact under a scenario (e.g. lost productivity and growth by a year), "
                       "not an annual cybercrime cost",
    "data_breach_cost": "annual global cost of data breaches only",
    "per_breach_cost": "average cost of one data breach in a studied sample of organisations, not a global total",
    "direct_gdp_cost": "direct loss of GDP from cyber incidents in a parametric model (no systemic effects)",
    "ip_theft_loss": "losses of intellectual property and data claimed by businesses (extrapolated from a survey)",
    "survey_sample_total": "sum of losses reported by the firms in one survey sample, not a global figure",
    "no_headline_figure": "a study with costs by crime type or per citizen but no single global total "
                          "(figure columns empty)",
}

KINDS = ("estimate", "forecast")
CONFIDENCES = ("high", "medium")


@dataclass(frozen=True)
class Dataset:
    """A bundled dataset: its file, one-line description, year column and column types."""

    name: str
    filename: str
    description: str
    year_columns: tuple[str, ...]
    dtypes: dict[str, str]
    key: tuple[str, ...]


_STR = "str"
# pandas >= 3: the string dtype that keeps NaN for missing; pandas 2 would turn NaN into "nan"
_TEXT_DTYPE: object = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
_INT = "Int64"
_FLOAT = "float64"

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "global_estimates", "global_estimates.csv",
            "Published estimates and forecasts of the global cost of cybercrime by publisher, US$ bn, "
            "with what each figure measures",
            ("first_year", "last_year"),
            {"id": _STR, "publisher": _STR, "attribution": _STR, "publication": _STR,
             "published_year": _INT, "target_year": _INT, "first_year": _INT, "last_year": _INT,
             "kind": _STR, "measure": _STR, "low_usd_bn": _FLOAT, "point_usd_bn": _FLOAT,
             "high_usd_bn": _FLOAT, "scope": _STR, "source_url": _STR, "confidence": _STR,
             "likely_origin": _STR, "note": _STR},
            ("id",),
        ),
        Dataset(
            "ic3", "ic3_losses.csv",
            "FBI IC3 complaints and reported losses per year, US$ (as first reported, and later revisions)",
            ("year",),
            {"year": _INT, "complaints": _INT, "losses_usd": _FLOAT, "revised_losses_usd": _FLOAT,
             "loss_basis": _STR, "primary_source": _STR, "source_url": _STR, "confidence": _STR, "note": _STR},
            ("year",),
        ),
        Dataset(
            "ic3_by_crime_type", "ic3_by_crime_type.csv",
            "FBI IC3 victims and reported losses by crime type, US$, every type in the annual reports",
            ("year",),
            {"year": _INT, "crime_type": _STR, "canonical_type": _STR, "victims": _INT,
             "losses_usd": _FLOAT, "primary_source": _STR, "source_url": _STR, "confidence": _STR, "note": _STR},
            ("year", "crime_type"),
        ),
        Dataset(
            "ic3_crime_type_headlines", "ic3_by_crime_type_headlines.csv",
            "FBI IC3 losses of the main crime types as quoted in press coverage, US$ (partial, rounded)",
            ("year",),
            {"year": _INT, "crime_type": _STR, "losses_usd": _FLOAT, "complaints": _INT,
             "primary_source": _STR, "source_url": _STR, "confidence": _STR, "note": _STR},
            ("year", "crime_type"),
        ),
        Dataset(
            "ic3_by_state", "ic3_by_state.csv",
            "FBI IC3 complaints and reported losses by US state, DC and territory, US$",
            ("year",),
            {"year": _INT, "state": _STR, "region_type": _STR, "complaints": _INT, "losses_usd": _FLOAT,
             "primary_source": _STR, "source_url": _STR, "confidence": _STR, "note": _STR},
            ("year", "state"),
        ),
        Dataset(
            "macro", "macro.csv",
            "World GDP (current US$ bn, World Bank) and US CPI-U (annual average, 1982-84=100, BLS)",
            ("year",),
            {"year": _INT, "world_gdp_usd_bn": _FLOAT, "us_cpi_u": _FLOAT, "gdp_source_url": _STR,
             "cpi_source_url": _STR, "confidence": _STR, "note": _STR},
            ("year",),
        ),
    )
}

# series names that are not dataset names
_DERIVED = {"world_gdp": "macro", "us_cpi": "macro"}


def data_dir() -> Path:
    """Folder holding the bundled CSV files.

    An installed wheel has them in ``forecast/_data``; a checkout (editable
    install) has them in the top-level ``data/`` folder.

    Examples
    --------
    >>> (data_dir() / "ic3_losses.csv").is_file()
    True
    """
    try:
        packaged = importlib.resources.files("forecast") / "_data"
        if packaged.is_dir() and (packaged / "ic3_losses.csv").is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, NotADirectoryError, FileNotFoundError):  # pragma: no cover - defensive
        pass
    checkout = Path(__file__).resolve().parents[2] / "data"
    if (checkout / "ic3_losses.csv").is_file():
        return checkout
    raise DataError(
        "the bundled data files were not found (looked in forecast/_data and the checkout's data/ folder); "
        "reinstall the package"
    )


def _spec(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise DataError(f"unknown dataset {name!r}; datasets: {', '.join(DATASETS)}") from None


@functools.lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    spec = _spec(name)
    path = data_dir() / spec.filename
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(frame.columns) != list(spec.dtypes):
        raise DataError(f"{path}: columns {list(frame.columns)} differ from the expected {list(spec.dtypes)}")
    out = {}
    for col, dtype in spec.dtypes.items():
        raw = frame[col].str.strip()
        if dtype == _STR:
            out[col] = raw.where(raw != "", np.nan).astype(_TEXT_DTYPE)
            continue
        num = pd.to_numeric(raw.where(raw != "", np.nan), errors="coerce")
        bad = num.isna() & (raw != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{path}, line {i + 2}, column {col!r}: {raw.iloc[i]!r} is not a number")
        out[col] = num.astype(dtype)
    return pd.DataFrame(out)


def datasets() -> pd.DataFrame:
    """List the bundled datasets with a one-line description each.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``description``, ``rows`` and ``years`` (first-last).

    Examples
    --------
    >>> d = datasets()
    >>> list(d.columns)
    ['name', 'description', 'rows', 'years']
    >>> d.set_index("name").loc["ic3", "years"]
    '2001-2024'
    """
    rows = []
    for spec in DATASETS.values():
        frame = _read(spec.name)
        years = pd.concat([frame[c] for c in spec.year_columns]).dropna()
        rows.append({"name": spec.name, "description": spec.description, "rows": len(frame),
                     "years": f"{int(years.min())}-{int(years.max())}"})
    return pd.DataFrame(rows)


def load(name: str) -> pd.DataFrame:
    """Load a bundled dataset as a typed DataFrame.

    Integer columns are nullable ``Int64`` (a missing value is ``<NA>``), money
    and index values are ``float64`` (missing is NaN), text columns are strings.

    Parameters
    ----------
    name : str
        One of the names listed by :func:`datasets`.

    Returns
    -------
    pandas.DataFrame
        A fresh copy: changing it does not change later loads.

    Raises
    ------
    DataError
        For an unknown name; the message lists the known names.

    Examples
    --------
    >>> ic3 = load("ic3")
    >>> int(ic3.loc[ic3.year == 2024, "complaints"].iloc[0])
    859532
    >>> ic3.loc[ic3.year == 2010, "losses_usd"].isna().item()
    True
    """
    return _read(_spec(name).name).copy(deep=True)


def _annual(values: pd.Series, years: pd.Series, *, name: str, unit: str, label: str, source: str) -> pd.Series:
    keep = values.notna().to_numpy()
    yrs = [int(y) for y in years[keep]]
    idx = annual_index(yrs)
    out = pd.Series(values[keep].to_numpy(dtype=float), index=idx, name=name).sort_index()
    present = {p.year for p in out.index}
    gaps = [y for y in range(min(present), max(present) + 1) if y not in present] if present else []
    out.attrs.update({"unit": unit, "name": label, "source": source, "gaps": gaps})
    return out


def _pick(frame: pd.DataFrame, column: str, label_col: str, wanted: str, dataset: str) -> pd.DataFrame:
    sub = frame[frame[label_col] == wanted]
    if sub.empty:
        known = sorted(frame[label_col].dropna().unique())
        raise DataError(f"dataset {dataset!r}: no {label_col} {wanted!r}; known: {', '.join(known)}")
    return sub


def series(name: str, *, column: str | None = None, revised: bool = False, crime_type: str | None = None,
           state: str | None = None) -> pd.Series:
    """Return one annual series from a bundled dataset.

    Parameters
    ----------
    name : str
        ``"ic3"``, ``"ic3_by_crime_type"``, ``"ic3_by_state"``, ``"world_gdp"``
        (world GDP, current US$) or ``"us_cpi"`` (US CPI-U, 1982-84=100).
    column : str, optional
        ``"complaints"`` for complaint counts (``ic3``, ``ic3_by_state``) or
        ``"victims"`` (``ic3_by_crime_type``); losses in US$ by default.
    revised : bool
        ``ic3`` only: use later revisions where the data has them (2012, 2016),
        the first-reported figure otherwise. Default: as first reported.
    crime_type : str
        ``ic3_by_crime_type``: a canonical type (``"BEC"``, ``"Romance"``,
        ``"Investment"``, ...; see ``load("ic3_by_crime_type").canonical_type``).
        Rows of one canonical type in the same year are summed.
    state : str
        ``ic3_by_state``: a state, ``"District of Columbia"`` or a territory.

    Returns
    -------
    pandas.Series
        Float values on a ``PeriodIndex(freq="Y")`` named ``year``; years
        without a value are left out (listed in ``attrs["gaps"]``). ``attrs``
        holds ``unit`` ("USD", "complaints", "victims" or "index 1982-84=100"),
        ``name`` (a label) and ``source``.

    Examples
    --------
    >>> y = series("ic3")
    >>> 2010 in [p.year for p in y.index], y.attrs["gaps"]
    (False, [2010])
    >>> float(round(series("ic3", revised=True)["2016"] / 1e9, 4))
    1.4507
    >>> series("ic3_by_crime_type", crime_type="BEC").attrs["unit"]
    'USD'
    """
    if name in _DERIVED:
        macro = _read("macro")
        src = "World Bank NY.GDP.MKTP.CD via datasets/gdp (2024: statbase.org) [data/macro.csv]"
        if name == "world_gdp":
            return _annual(macro["world_gdp_usd_bn"] * 1e9, macro["year"], name="world_gdp", unit="USD",
                           label="World GDP, current US$", source=src)
        return _annual(macro["us_cpi_u"], macro["year"], name="us_cpi", unit="index 1982-84=100",
                       label="US CPI-U, annual average",
                       source="BLS CPI-U via datasets/cpi-us [data/macro.csv]")
    spec = _spec(name)
    frame = _read(spec.name)
    file = f"data/{spec.filename}"
    if name == "ic3":
        if column in (None, "losses_usd"):
            values = frame["losses_usd"]
            label = "IC3 reported losses (as first reported)"
            if revised:
                values = frame["revised_losses_usd"].fillna(frame["losses_usd"])
                label = "IC3 reported losses (revised where known)"
            return _annual(values, frame["year"], name="ic3_losses_usd", unit="USD", label=label,
                           source=f"FBI IC3 annual reports [{file}]")
        if column == "complaints":
            return _annual(frame["complaints"].astype(float), frame["year"], name="ic3_complaints",
                           unit="complaints", label="IC3 complaints", source=f"FBI IC3 annual reports [{file}]")
        raise DataError(f"dataset 'ic3': column {column!r} is not a series; use 'losses_usd' or 'complaints'")
    if name == "ic3_by_crime_type":
        if crime_type is None:
            raise DataError("dataset 'ic3_by_crime_type': give crime_type=, e.g. crime_type='BEC'")
        col = column or "losses_usd"
        if col not in ("losses_usd", "victims"):
            raise DataError(f"dataset 'ic3_by_crime_type': column {col!r} is not a series; use 'losses_usd' or 'victims'")
        sub = _pick(frame, col, "canonical_type", crime_type, name)
        total = sub.groupby("year")[col].sum().astype(float)
        unit = "USD" if col == "losses_usd" else "victims"
        return _annual(total, pd.Series(total.index), name=f"ic3_{col}_{crime_type}", unit=unit,
                       label=f"IC3 {'reported losses' if unit == 'USD' else 'victims'}: {crime_type}",
                       source=f"FBI IC3 annual reports, crime-type tables [{file}]")
    if name == "ic3_by_state":
        if state is None:
            raise DataError("dataset 'ic3_by_state': give state=, e.g. state='California'")
        col = column or "losses_usd"
        if col not in ("losses_usd", "complaints"):
            raise DataError(f"dataset 'ic3_by_state': column {col!r} is not a series; use 'losses_usd' or 'complaints'")
        sub = _pick(frame, col, "state", state, name)
        unit = "USD" if col == "losses_usd" else "complaints"
        return _annual(sub[col].astype(float), sub["year"], name=f"ic3_{col}_{state}", unit=unit,
                       label=f"IC3 {'reported losses' if unit == 'USD' else 'complaints'}: {state}",
                       source=f"FBI IC3 annual reports, state tables [{file}]")
    if name == "macro":
        raise DataError("dataset 'macro': use series('world_gdp') or series('us_cpi')")
    raise DataError(f"dataset {name!r} has no single annual series; use load({name!r}) and filter it")


def describe_measures() -> pd.DataFrame:
    """The ``measure`` vocabulary as a frame (``measure``, ``meaning``).

    Examples
    --------
    >>> "total_cost" in set(describe_measures()["measure"])
    True
    """
    return pd.DataFrame({"measure": list(MEASURES), "meaning": list(MEASURES.values())})


def _clear_cache() -> None:  # for tests that swap the data folder
    _read.cache_clear()


__all__ = ["DATASETS", "MEASURES", "data_dir", "datasets", "describe_measures", "load", "series"]
