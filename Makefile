# Two commands do everything on a fresh machine with Python >= 3.11 and pip:
#   make report   set up (once), then write reports/cybercrime-damage-forecast.pdf
#   make test     set up (once), then run the whole test suite, notebooks included
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# The machine may set PYTHONDONTWRITEBYTECODE=1; without byte-code caches every
# process (each notebook kernel too) recompiles pandas and statsmodels.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: all setup test test-fast report notebooks bench clean

all: test

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.1"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

# skips the simulation studies, the notebooks and the wheel build
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not notebooks and not wheel"

report: $(STAMP)
	$(BIN)/python -m forecast report --output reports/cybercrime-damage-forecast.pdf

notebooks: $(STAMP)
	$(BIN)/python notebooks/run.py reports/notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
