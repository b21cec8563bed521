"""The Python examples in README.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert len(_python_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_example_runs(index, tmp_path, monkeypatch, capsys):
    # the examples read a user's file called my_losses.csv
    (tmp_path / "my_losses.csv").write_text(
        "year,loss\n2015,1.0e9\n2016,1.3e9\n2017,1.4e9\n2018,2.7e9\n2019,3.5e9\n2020,4.2e9\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(_python_blocks()[index], f"README.md python block {index + 1}", "exec"), namespace)
    if "fc" in namespace:  # the forecast example: six years, the interval schema
        from forecast.intervals import validate_frame

        validate_frame(namespace["fc"])
        assert [p.year for p in namespace["fc"].index] == list(range(2025, 2031))
    if "mine" in namespace:
        assert len(namespace["mine"]) == 6
