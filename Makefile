# The two commands of a fresh machine: `make run` and `make test`. Everything else they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TODAY := $(shell date +%F)

VENDOR := src/bhyt/web/static/vendor/chart.umd.js
# Debian's chromium drives the browser tests (Playwright never downloads a browser of its own);
# LibreOffice checks that the XLSX reports open with the right figures.
CHROMIUM := /usr/bin/chromium
SOFFICE := /usr/bin/soffice
# Spark (the claims rules' second engine) runs on Debian's Java 17; its local mode downloads nothing.
JAVA := /usr/bin/java
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test demo bench bench-coverage bench-web bench-claims messages clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALLED)

# Chart.js comes from npm at build time (package-lock.json pins it); only its built file is served.
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(VENDOR))
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

$(SOFFICE):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui

$(JAVA):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless

# Builds the demo province (with one account per role) on the embedded SQLite file if it is not there
# yet, then serves the web app on http://127.0.0.1:8000.
run: $(INSTALLED) $(VENDOR)
	$(BIN)/bhyt demo --if-absent
	$(BIN)/bhyt serve --host 127.0.0.1 --port 8000

test: $(INSTALLED) $(VENDOR) $(CHROMIUM) $(SOFFICE) $(JAVA)
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/python bench/import.py

# The coverage cube on the demo generator's 10 M people against SQLite, PostgreSQL and pandas.
bench-coverage: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/coverage.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

bench-web: $(INSTALLED) $(VENDOR)
	$(BIN)/python bench/web.py

# The claims rule catalogue on DuckDB over 10 M lines (synthetic claims of the demo province, replicated;
# built once under data/bench/claims). BENCH_ARGS=--quick for 1 M lines.
bench-claims: $(INSTALLED)
	$(BIN)/bhyt demo --if-absent
	$(BIN)/python bench/claims.py $(BENCH_ARGS)

# After changing a template or an N_("…") label in Python: add the new Vietnamese messages to the English
# catalogue, then translate them there (tests/web/test_english.py fails while one is missing).
messages: $(INSTALLED)
	mkdir -p data
	$(BIN)/pybabel --quiet extract -F babel.cfg -k N_ --no-location -o data/messages.pot .
	$(BIN)/pybabel --quiet update --no-fuzzy-matching --ignore-obsolete --init-missing -i data/messages.pot \
		-d src/bhyt/web/locale -l en

clean:
	rm -rf $(VENV) data node_modules $(dir $(VENDOR))
