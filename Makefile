# Thin entry points; the real work lives in the `course` and `autograder` packages.
# Quick start: `make lab` (students) and `make test` (course authors, CI).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
WORKSPACE ?= workspace
LAB_ARGS ?=
PYTEST_ARGS ?= -n auto --dist loadgroup
KERNEL := dlcourse
STAMP := $(VENV)/.installed

.PHONY: setup lab workspace test lint release release-check bench demo grade

# Create the virtual environment, install the pinned project and the course kernel (inside the venv,
# so nothing outside the checkout changes). Re-runs only when pyproject.toml changes.
setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) \
		--display-name "Python 3 (deep-learning course)"
	@touch $@

# Copy the student notebooks into the workspace, never overwriting a file that is already there.
workspace: setup
	$(PY) -m autograder workspace --dest $(WORKSPACE)

# Start JupyterLab in the workspace, with nbgrader's extensions enabled. It runs from inside the
# workspace so that nbgrader reads the student configuration written there, not the instructor's.
# Jupyter refuses to run as root without --allow-root (containers, CI), so it is added for root only.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: workspace
	cd $(WORKSPACE) && $(abspath $(VENV))/bin/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check course autograder tests bench
	$(VENV)/bin/ruff format --check course autograder tests bench

release: setup
	$(PY) -m autograder release

release-check: setup
	$(PY) -m autograder release --check

# A whole term on invented students in demo/ (git-ignored): enrol, submit, grade, feedback, export,
# reports. DEMO_ARGS passes options, e.g. DEMO_ARGS="--force --students 10 --chapters 07_ethics".
DEMO_ARGS ?=
demo: setup
	$(PY) -m autograder demo $(DEMO_ARGS)

# Measure the course on this machine (chapters, training quality, set-up, grading) and regenerate the
# README's chapter table and performance section from the results. BENCH_ARGS=--quick for a smoke test.
BENCH_ARGS ?=

bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/readme.py
