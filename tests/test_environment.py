"""environment.yml and pyproject.toml name the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with papermill (test extra)

ROOT = Path(__file__).resolve().parents[1]
# names that are tools of the environment itself, not dependencies of the package
TOOLING = {"python", "pip"}


def _name(requirement: str) -> str:
    """Distribution name of a requirement string, normalised (PEP 503)."""
    name = re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _environment() -> tuple[dict, set[str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = set(), []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
        else:
            conda.add(_name(dep))
    return env, conda, pip


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_names_match_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"]} | {
        _name(r) for extra in ("notebooks", "dask") for r in project["optional-dependencies"][extra]
    }
    _, conda, pip = _environment()
    pip_names = {_name(p) for p in pip if not p.startswith("-e")}
    got = (conda - TOOLING) | pip_names
    assert got == wanted, f"only in environment.yml: {sorted(got - wanted)}; only in pyproject.toml: {sorted(wanted - got)}"
    assert not (conda - TOOLING) & pip_names, "a dependency is listed both for conda and for pip"


def test_conda_forge_python_and_project_install():
    env, conda, pip = _environment()
    assert env["channels"] == ["conda-forge"]
    assert "python" in conda and "pip" in conda
    python = next(d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python")
    assert python.replace(" ", "") == "python>=3.11"
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    assert "-e ." in pip


def test_name_parser():
    assert _name("statsmodels>=0.14.1") == "statsmodels"
    assert _name("typst >=0.13") == "typst"
    assert _name("Jupyter_Client[extra]>=8") == "jupyter-client"
