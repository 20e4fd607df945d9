# The two commands in the README: `make run` and `make test`. Everything they need is
# installed here from the repository's own files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run setup install test lint format report-deps browser-deps ci bench scale-data clean report-preview

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Migrate, collect static files, load the Jinchang data and the demo accounts (all idempotent).
setup: install report-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_seeds
	$(BIN)/python manage.py demo_accounts

# The web server, a Celery worker and Celery beat together (Procfile), on plain HTTP locally;
# the web server listens on PORT (8000 unless given: `PORT=8080 make run`).
run: setup
	HTTPS=0 DEMO_INSTALL=1 PORT=$${PORT:-8000} $(BIN)/honcho start

test: install report-deps
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The report's PDF (WeasyPrint) needs pango and a CJK font: without the font its Chinese is
# drawn as boxes. Installed from Debian's packages where missing, for the app and its tests.
report-deps:
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && ldconfig -p | grep -q libpangoft2-1.0 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0)

# Debian's chromium for the browser tests (skipped, with that reason, where it is missing);
# the CI installs it the same way.
browser-deps: report-deps
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)

# A month's report as .docx, .xlsx and .pdf in var/report-preview/MONTH/, and its pages as PNG
# where LibreOffice (soffice) and poppler-utils (pdftoppm) are installed.
MONTH ?= 2025-06
report-preview: setup
	$(BIN)/python manage.py report_preview $(MONTH) --output var/report-preview

ci:
	bash .ci/run

scale-data: install
	$(BIN)/python manage.py make_scale_data --projects 10000 --months 60 --seed 1

# Needs PostgreSQL and Redis on 127.0.0.1 (BENCH_PG, BENCH_CACHE to change) and wrk.
bench: install
	command -v wrk >/dev/null || (apt-get update && apt-get install -y --no-install-recommends wrk)
	$(BIN)/python bench/run.py

clean:
	rm -rf var/ $(VENV) *.egg-info
