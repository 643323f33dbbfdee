# Aval — `make run` starts the app, `make test` is the whole check (what CI runs).

VENV := .venv
PYTHON := $(VENV)/bin/python
# Touched after a successful install; reinstalls only when pyproject.toml changes.
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -e '.[test]'
	touch $@

run: install
	$(PYTHON) main.py

lint: install
	$(VENV)/bin/ruff check .

# Fails on any lint error and on any failing or erroring test (pytest's non-zero exit,
# including 5 = no test collected). Two workers, a test file each at a time: most of the
# suite waits on browsers, sockets and argon2, so two cores do nearly twice the work.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 2 --dist loadfile --durations=15
