"""The built wheel carries its data: install it elsewhere and load every dataset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel

# The project's virtualenv has the checkout on sys.path (editable install, a .pth
# file); the probe removes it, so only the wheel installed in scratch can be found.
PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    checkout = Path(sys.argv[1]).resolve()
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != checkout]
    import forecast
    from forecast.data.registry import data_dir
    names = list(forecast.datasets()["name"])
    rows = {n: len(forecast.load(n)) for n in names}
    y = forecast.series("ic3")
    from forecast.published.calibration import measured_coverage
    print(json.dumps({
        "calibration_rows": len(measured_coverage()),
        "file": forecast.__file__,
        "data_dir": str(data_dir()),
        "rows": rows,
        "ic3_2024": float(y["2024"]),
        "path": sys.path,
    }))
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = list(out.glob("forecast-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for csv_file in sorted((ROOT / "data").glob("*.csv")):
        assert f"forecast/_data/{csv_file.name}" in names
    assert "forecast/_data/README.md" in names
    assert "forecast/published/calibration.csv" in names  # the measured coverage the report prints


def test_installed_wheel_loads_every_dataset_outside_the_checkout(wheel, tmp_path):
    scratch = tmp_path / "scratch"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", str(scratch),
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = str(scratch)
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ROOT)], cwd=work, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    info = json.loads(proc.stdout)
    assert Path(info["file"]).resolve().is_relative_to(scratch.resolve())
    assert Path(info["data_dir"]).resolve().is_relative_to(scratch.resolve())
    assert all(Path(p).resolve() != ROOT for p in info["path"] if p)
    expected = {p.stem for p in (ROOT / "data").glob("*.csv")}
    assert len(info["rows"]) == len(expected)
    assert all(n > 0 for n in info["rows"].values())
    assert info["rows"]["ic3"] == 24 and info["rows"]["global_estimates"] == 47
    assert info["ic3_2024"] == 16.6e9
    assert info["calibration_rows"] == 28
