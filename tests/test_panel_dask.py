"""fit_panel on a Dask LocalCluster of two worker processes gives the in-process numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast

distributed = pytest.importorskip("distributed")


def _panel(n_series=12, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        n = 10 + i % 6
        level = 14 + 0.3 * i + np.cumsum(0.1 + 0.25 * rng.standard_normal(n))
        rows += [{"branch": f"b{i:02d}", "year": 2024 - n + 1 + t, "loss": float(np.exp(v))}
                 for t, v in enumerate(level)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.mark.parametrize("model", ["auto", "ets"])
def test_same_seed_same_numbers_in_process_and_on_two_workers(client, model):
    df = _panel()
    kw = {"key": "branch", "value": "loss", "model": model, "seed": 11, "n_paths": 400, "chunk_size": 3}
    local = forecast.fit_panel(df, **kw)
    remote = forecast.fit_panel(df, client=client, **kw)
    assert len(remote._chunks) == 4 and all(hasattr(f, "key") for f in remote._chunks)  # futures, one per chunk
    pd.testing.assert_frame_equal(local.summary(), remote.summary())
    for rec in (None, "fitted", "ols"):
        pd.testing.assert_frame_equal(local.forecast(horizon=3, reconcile=rec), remote.forecast(horizon=3, reconcile=rec))
    # both workers did some of the work
    who = client.who_has(remote._chunks)
    assert len({w for ws in who.values() for w in ws}) == 2


def test_scheduler_address_is_accepted(client):
    df = _panel(n_series=4)
    res = forecast.fit_panel(df, key="branch", value="loss", model="drift", reconcile=None,
                             client=client.scheduler.address)
    try:
        local = forecast.fit_panel(df, key="branch", value="loss", model="drift", reconcile=None)
        pd.testing.assert_frame_equal(res.forecast(horizon=2), local.forecast(horizon=2))
    finally:
        res._client.close()
