"""Execute the notebooks and write executed copies and HTML pages.

Usage (from the repository root)::

    python notebooks/run.py [OUTDIR] [--only NAME ...] [-p NAME VALUE ...] [--timeout SECONDS] [--jobs N]

Each notebook in this folder is run top to bottom in a fresh ``python3``
kernel whose working folder is this folder (``--jobs`` of them at once,
default 2), then written to
``OUTDIR/<name>.ipynb`` (with outputs) and ``OUTDIR/<name>.html`` (nbconvert's
HTML exporter: no TeX, no browser). ``OUTDIR`` defaults to
``reports/notebooks``. ``-p NAME VALUE`` overrides a parameter the way
papermill does: a cell tagged ``injected-parameters`` is inserted after the
cell tagged ``parameters`` (VALUE is read as a Python literal when it is one,
as text otherwise). Files are written beside their target and renamed into
place, so an interrupted run leaves no half-written page. The exit status is 1
if any notebook fails, naming the notebook and the cell.

The test suite imports :func:`execute` from here.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import copy
import os
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KERNEL = "python3"


def notebook_paths(folder: Path = HERE) -> list[Path]:
    """The notebooks in ``folder``, in name order (``01-...`` first)."""
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def inject_parameters(nb: Any, parameters: Mapping[str, Any]) -> Any:
    """A copy of ``nb`` with a cell setting ``parameters`` after the cell tagged ``parameters``.

    The new cell is tagged ``injected-parameters`` (papermill's convention);
    a notebook without a ``parameters`` cell gets it as its first cell.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    if not parameters:
        return nb
    source = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    where = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    nb.cells.insert(where, cell)
    return nb


def kernel_env() -> dict[str, str]:
    """Environment for the kernel: this one, without a forced matplotlib backend (figures show inline)."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code caches make every kernel start faster
    return env


def execute(path: Path | str, parameters: Mapping[str, Any] | None = None, timeout: int = 120) -> Any:
    """Run the notebook at ``path`` in a fresh ``python3`` kernel (working folder: the notebook's).

    Returns the executed notebook; raises ``nbclient.exceptions.CellExecutionError``
    when a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = inject_parameters(nbformat.read(path, as_version=4), parameters or {})
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running here: run in a loop of our own and close it afterwards
        asyncio.run(client.async_execute(env=kernel_env()))
    else:  # called from inside a running loop (e.g. a notebook): nbclient handles it
        client.execute(env=kernel_env())
    return nb


def _write_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def export(nb: Any, outdir: Path, name: str) -> tuple[Path, Path]:
    """Write the executed notebook and its HTML page into ``outdir``."""
    import nbformat
    from nbconvert import HTMLExporter

    outdir.mkdir(parents=True, exist_ok=True)
    html, _ = HTMLExporter().from_notebook_node(nb)
    ipynb = outdir / f"{name}.ipynb"
    page = outdir / f"{name}.html"
    _write_atomic(ipynb, nbformat.writes(nb))
    _write_atomic(page, html)
    return ipynb, page


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute the notebooks into executed copies and HTML pages.")
    parser.add_argument("outdir", nargs="?", default="reports/notebooks", help="output folder")
    parser.add_argument("--only", nargs="+", default=None, help="notebook names (or name prefixes such as 05)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set a parameter (repeatable)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="notebooks run at once (default: 2, or 1 on a one-core machine)")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError

    paths = notebook_paths()
    if args.only:
        paths = [p for p in paths if any(p.stem == o or p.stem.startswith(o) or p.name == o for o in args.only)]
        if not paths:
            print(f"no notebook matches {' '.join(args.only)}", file=sys.stderr)
            return 2
    params = {k: _literal(v) for k, v in args.parameter}
    outdir = Path(args.outdir)
    start = time.perf_counter()

    def one(path: Path) -> bool:
        t0 = time.perf_counter()
        try:
            nb = execute(path, params, timeout=args.timeout)
        except CellExecutionError as exc:
            first = str(exc).strip().splitlines()
            print(f"FAILED {path.name}: {first[-1] if first else exc}", file=sys.stderr)
            return False
        _, page = export(nb, outdir, path.stem)
        print(f"{path.name}: {time.perf_counter() - t0:.1f} s -> {page}", flush=True)
        return True

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        ok = list(pool.map(one, paths))
    print(f"{sum(ok)} of {len(paths)} notebooks executed in {time.perf_counter() - start:.1f} s")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
