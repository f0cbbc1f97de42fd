# The two commands of a fresh machine: `make run` and `make test`. Everything else they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TODAY := $(shell date +%F)

.PHONY: run test demo bench bench-coverage clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALLED)

# Builds the demo province on the embedded SQLite file if it is not there yet, then shows its coverage.
run: $(INSTALLED)
	$(BIN)/bhyt demo --if-absent
	$(BIN)/bhyt coverage --as-of $(TODAY) --level commune --unit 44

test: $(INSTALLED)
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/python bench/import.py

# The coverage cube on the demo generator's 10 M people against SQLite, PostgreSQL and pandas.
bench-coverage: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/coverage.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

clean:
	rm -rf $(VENV) data
