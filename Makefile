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
TEST_STAMP := $(VENV)/.installed-test

.PHONY: setup test-setup lab workspace hub test lint release release-check bench demo grade

# Create the virtual environment, install the pinned project and the course kernel (inside the venv,
# so nothing outside the checkout changes). Re-runs only when pyproject.toml changes. Students get
# only what the course runs; the test tools come with `make test` (test-setup).
setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course's pinned packages into $(VENV) (a few minutes the first time)..."
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) \
		--display-name "Python 3 (deep-learning course)"
	@touch $@

test-setup: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	@echo "Installing the test tools (pytest, ruff, playwright) into $(VENV)..."
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# Copy the student notebooks into the workspace, never overwriting a file that is already there.
workspace: setup
	$(PY) -m autograder workspace --dest $(WORKSPACE)

# Start JupyterLab in the workspace, with nbgrader's extensions enabled. It runs from inside the
# workspace so that nbgrader reads the student configuration written there, not the instructor's.
# Jupyter refuses to run as root without --allow-root (containers, CI), so it is added for root only.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The student's Lab: Validate only. autograder/student_lab turns off nbgrader's instructor tools
# (formgrader, create assignment) and, with no hub to serve them, the Assignment and Course Lists.
STUDENT_LAB := $(abspath autograder/student_lab)

lab: workspace
	cd $(WORKSPACE) && JUPYTER_CONFIG_PATH="$(STUDENT_LAB)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(abspath $(VENV))/bin/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

# A JupyterHub for a class on this machine (as root): accounts for the roster, a shared environment,
# nbgrader's exchange, the instructor's course directory; README "A class on JupyterHub".
HUB_ROSTER ?= hub-roster.csv
HUB_PREFIX ?= /opt/dlcourse-hub
HUB_EXCHANGE ?= /srv/nbgrader/exchange
HUB_PYTHON ?= /usr/bin/python3
HUB_PORT ?= 8000
HUB_ARGS ?=

hub: setup
	$(PY) -m autograder hub --roster $(HUB_ROSTER) --prefix $(HUB_PREFIX) \
		--exchange $(HUB_EXCHANGE) --python $(HUB_PYTHON) --port $(HUB_PORT) $(HUB_ARGS)

test: test-setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: test-setup
	$(VENV)/bin/ruff check course autograder tests bench
	$(VENV)/bin/ruff format --check course autograder tests bench

release: setup
	$(PY) -m autograder release

release-check: setup
	$(PY) -m autograder release --check

# A whole term on invented students in demo/ (git-ignored): enrol, submit, grade, feedback, export,
# reports. DEMO_ARGS passes options, e.g. DEMO_ARGS="--force --students 10 --chapters 09_ethics".
DEMO_ARGS ?=
demo: setup
	$(PY) -m autograder demo $(DEMO_ARGS)

# Measure the course on this machine (chapters, training quality, set-up, grading) and regenerate the
# README's chapter table and performance section from the results. BENCH_ARGS=--quick for a smoke test.
BENCH_ARGS ?=

bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/readme.py
