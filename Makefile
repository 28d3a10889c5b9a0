# Improvement Radar: one entry point for people and CI.
#   make demo       create/refresh .venv, install, replay the bundled demo, print the entries
#   make test       lint, type-check and run the whole suite (creates .venv if missing)
#   make notebooks  execute every analyst notebook from a clean kernel; outputs in .radar/notebooks/
#   make bench      run the benchmarks (NAB quality, detector and gate speed)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest notebooks bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo replays May 2016 night by night, as a nightly deployment would have seen it;
# the scan ends by printing the register's entries.
demo: $(STAMP)
	$(BIN)/radar scan --config examples/demo.yaml --from 2016-05-01 --to 2016-05-31

lint: $(STAMP)
	$(BIN)/ruff check flows detectors register_client tests benchmarks
	$(BIN)/ruff format --check flows detectors register_client tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --durations=25

test: lint typecheck pytest

notebooks: $(STAMP)
	$(BIN)/python -m flows.workbench.notebooks notebooks --output .radar/notebooks

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf .radar build *.egg-info
