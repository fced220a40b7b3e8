# em-prankster: the course's commands. `make help` lists them.
#   make demo   set up, build data, release and solutions, autograde the demo class, feedback
#   make test   set up, build data, run the test suite
#   make check  the fast tests alone (under a minute)
#   make lab    JupyterLab on localhost for this course, with nbgrader's Validate and formgrader
#   make hub    JupyterHub on 127.0.0.1:8000 with an instructor and four students (as root)
#   make mutants  the hidden tests' mutation run (tests/mutants.py): report in build/mutants.md
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to alembic: the venv's bin/ must come first on PATH.
export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg

# The course's assignments, as assignments.toml lists them (grading/assignments.py reads it too).
ASSIGNMENTS := $(shell sed -n 's/^ *"\([A-Za-z0-9_]*\)",\{0,1\}$$/\1/p' assignments.toml)
# The assignment of the demo class and of the photos `make data` draws.
ASSIGNMENT := em_prankster
DATA := source/$(ASSIGNMENT)/data_em.npy
STUDENTS := reference untouched mistakes
# The test suite runs its files on two processes (pytest-xdist), each file on one: much of it
# waits on kernels, browsers and servers. Three were no faster on two cores (pytest 8 min 9 s against
# 7 min 33 s to 8 min 25 s) and made the hostile suites' time limits tighter. tests/conftest.py starts
# the longest first, and prints each process's seconds at the end (docs/tests.md: Measured).
TEST_PROCESSES := -n 2 --dist loadfile --no-loadscope-reorder

# Debian packages, installed with apt when missing (as root, or with sudo):
# - bubblewrap: every submission's kernel runs in its sandbox (grading/sandbox/bwrap.py);
# - chromium: the browser test (tests/test_browser.py) drives it; Playwright's own browser
#   download does not work here.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL = $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends
BWRAP := /usr/bin/bwrap
CHROMIUM := /usr/bin/chromium

.DELETE_ON_ERROR:
.PHONY: bench bench-verdicts lock help venv data secret expected release solutions submissions demo autograde feedback test check mutants lab clean hub hub-env hub-down postgres

help:
	@sed -n 's/^#   //p' Makefile

# Every Jupyter server of the environment loads the course's server extension, which sets the
# Content-Security-Policy of the formgrader's pages (grading/render/formgrader_guard.py), as nbgrader's
# own extensions are loaded: by a file in the environment's etc/jupyter/.
GUARD_CONFIG := jupyter-config/jupyter_server_config.d/em_prankster.json
GUARD_CONFIG_TO := etc/jupyter/jupyter_server_config.d/em_prankster.json

# The pinned dependencies, then the course's own code (grading/, coursetools/, prankster/, demo/,
# bench/) in editable mode (pyproject.toml): everything imports it by name, from any folder. An
# assignment's helper module (em_grading) is not installed: grading loads it from its folder.
$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml setup.cfg $(GUARD_CONFIG)
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	install -D -m 644 $(GUARD_CONFIG) $(VENV)/$(GUARD_CONFIG_TO)
	touch $@

venv: $(VENV)/.installed

$(DATA): $(VENV)/.installed $(wildcard prankster/*.py)
	mkdir -p build
	$(BIN)/python -m prankster.generate_data --out-dir source/$(ASSIGNMENT) \
	    --lineup source/$(ASSIGNMENT)/lineup.png --truth build/truth.npz

data: $(DATA)

# After a change of prankster/secret.py, everything that depends on it: the answer cells and
# hidden answer tests in source/ (python -m prankster.answers), the data, release/, solutions/,
# the demo submissions, and the data's checksum pinned in tests/test_data.py.
secret: $(VENV)/.installed
	$(BIN)/python -m prankster.answers
	$(MAKE) solutions submissions
	$(BIN)/python -m prankster.answers --pin tests/test_data.py

# nbgrader copies data_em.npy and lineup.png from source/ along with the notebook. Each generated
# folder is removed first: nbgrader's --force would do it too, with a warning on every run.
release: data
	for a in $(ASSIGNMENTS); do rm -rf release/$$a && nbgrader generate_assignment $$a --force --log-level=WARN || exit 1; done

# The executed solution notebook, and its HTML for reading without Jupyter or a network:
# formulas as MathML, images embedded, test cells folded (grading/render/reader_html.py). Both are
# the same byte for byte from run to run (tests/test_sync.py regenerates and compares them).
solutions: release
	for a in $(ASSIGNMENTS); do \
	    rm -rf solutions/$$a && \
	    nbgrader generate_solution $$a --force --log-level=WARN && \
	    $(BIN)/python -m grading.render.reader_html solutions/$$a/$$a.ipynb || exit 1; done

submissions: release
	$(BIN)/python -m demo.make_submissions

# grading.run: intake, nbgrader autograde under limits with one worker per core, into the
# one gradebook; prints the summary (grading_summary.txt, grades_by_cell.csv). --resume goes on.
autograde: release $(BWRAP)
	rm -rf submitted autograded && mkdir -p submitted && cp -r demo/submitted/* submitted/
	$(BIN)/python -m grading.run $(ASSIGNMENT)

feedback: autograde
	rm -rf feedback
	nbgrader generate_feedback $(ASSIGNMENT) --force --log-level=WARN
	nbgrader export --to grades.csv --log-level=WARN

demo: solutions submissions feedback
	@echo
	@echo "Done. Where to look:"
	@echo "  release/$(ASSIGNMENT)/      the notebook and data to hand out to students"
	@echo "  solutions/$(ASSIGNMENT)/    the executed solution notebook, and its HTML to read in any browser, offline"
	@echo "  autograded/<student>/       the demo class, graded: $(STUDENTS)"
	@echo "  feedback/<student>/         the HTML feedback each student gets"
	@echo "  grading_summary.txt         one line per student: the score, and the cells lost and why"
	@echo "  class_report.html           how the class did, on one offline page (numbers in class_report.csv)"
	@echo "  grades.csv                  the scores exported from gradebook.db"
	@$(BIN)/python -c "import csv; [print(f\"  {r['student_id']:>10}: {float(r['score']):g} / {float(r['max_score']):g}\") for r in csv.DictReader(open('grades.csv'))]"

# Seconds per EM iteration (reference and two baselines), the schedule's time and memory,
# autograde seconds per submission with 1 and 2 workers, and without the sandbox
# (bench/run.py; takes a few minutes).
bench: release $(BWRAP)
	$(BIN)/python -m bench.run

# Grading time per submission: verdicts outside the kernel against the commit before them
# (checks in the kernel), both graded in one run (bench/verdicts.py).
bench-verdicts: data $(BWRAP)
	$(BIN)/python -m bench.verdicts

$(BWRAP):
	$(APT_INSTALL) bubblewrap
$(CHROMIUM):
	$(APT_INSTALL) chromium

test: data $(BWRAP) $(CHROMIUM) hub-env postgres
	$(BIN)/python -m pytest $(TEST_PROCESSES) tests

# The fast tests alone (no nbgrader run, kernel or browser; pytest -m "not slow"), on two processes.
check: data
	$(BIN)/python -m pytest tests -m "not slow" -n 2

# Mutation testing of the hidden tests (tests/mutants.py): every mutant of the reference's five
# functions graded in-process through the course's own checks, and 8 of each function's also
# through the grading run (sandboxed) to compare the verdicts; build/mutants.md and .json.
mutants: data $(BWRAP)
	$(BIN)/python tests/mutants.py --grading-run 8

# After changing an input of the hidden tests (source/em_prankster/em_grading.py) or a formula
# (tests/plain_formulas.py): their expected values in source/, then what depends on source/.
expected: $(VENV)/.installed
	$(BIN)/python tests/expected_values.py
	$(MAKE) solutions submissions

# JupyterLab on localhost for the course folder, nbgrader's extensions enabled (Validate,
# Formgrader, Create Assignment); it prints the URL to open. LAB_PORT=8899 make lab for another port.
LAB_PORT ?= 8888
lab: release
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) --ServerApp.open_browser=False \
	    $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

# Re-pin every transitive dependency after changing requirements.txt.
lock:
	rm -rf /tmp/em-prankster-lock && $(PYTHON) -m venv /tmp/em-prankster-lock
	/tmp/em-prankster-lock/bin/pip install --quiet -r requirements.txt
	{ sed -n '1,2p' constraints.txt; /tmp/em-prankster-lock/bin/pip freeze; } > constraints.tmp && mv constraints.tmp constraints.txt

clean:
	rm -rf submitted autograded feedback .grading gradebook.db grades.csv grading_summary.txt grades_by_cell.csv grading_results.json class_report.html class_report.csv build $(DATA) source/$(ASSIGNMENT)/lineup.png

# --- The course on a JupyterHub (hub/), the gradebook on PostgreSQL -----------------------------
# The hub's environment is built from Debian's Python, which every user can read (the course's
# .venv may come from a Python they cannot), with its own pins (hub/requirements.txt,
# hub/constraints.txt) and configurable-http-proxy from npm (hub/package-lock.json).
HUB_PREFIX := /opt/em-prankster-hub
HUB_SYSTEM_PYTHON := /usr/bin/python3.11
HUB_PORT ?= 8000
HUB_STATE ?= /srv/em-prankster-hub
PG_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

$(HUB_PREFIX)/.installed: hub/requirements.txt hub/constraints.txt hub/package.json hub/package-lock.json requirements.txt $(GUARD_CONFIG) \
    pyproject.toml setup.cfg $(shell find grading prankster bench hub demo coursetools -name '*.py' -o -name '*.js')
	$(HUB_SYSTEM_PYTHON) -c "import ensurepip" 2>/dev/null || { $(APT_INSTALL) python3.11 python3.11-venv; }
	test -x $(HUB_PREFIX)/bin/python || $(HUB_SYSTEM_PYTHON) -m venv $(HUB_PREFIX)
	$(HUB_PREFIX)/bin/python -m pip install --quiet --upgrade pip
	$(HUB_PREFIX)/bin/python -m pip install --quiet -r hub/requirements.txt -c hub/constraints.txt
	$(HUB_PREFIX)/bin/python -m pip install --quiet --no-deps --force-reinstall .  # the course's code, a copy every user can read
	install -D -m 644 $(GUARD_CONFIG) $(HUB_PREFIX)/$(GUARD_CONFIG_TO)
	command -v npm >/dev/null || { $(APT_INSTALL) nodejs npm; }
	mkdir -p $(HUB_PREFIX)/node && cp hub/package.json hub/package-lock.json $(HUB_PREFIX)/node/
	cd $(HUB_PREFIX)/node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

hub-env: $(HUB_PREFIX)/.installed

# Debian's PostgreSQL, for the gradebook on a server (tests/test_postgres.py starts its own).
postgres:
	$(if $(PG_INITDB),@true,$(APT_INSTALL) postgresql)

# Set up (users, exchange, the course in the instructor's home) and start the hub on
# 127.0.0.1:$(HUB_PORT); Ctrl-C stops it. `make hub-down` removes its users and folder.
hub: hub-env data
	EM_PRANKSTER_HUB_PREFIX=$(HUB_PREFIX) $(HUB_PREFIX)/bin/python hub/hubctl.py serve --state $(HUB_STATE) --port $(HUB_PORT)

hub-down:
	EM_PRANKSTER_HUB_PREFIX=$(HUB_PREFIX) $(HUB_PREFIX)/bin/python hub/hubctl.py down --state $(HUB_STATE)
