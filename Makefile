# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv
MANAGE := $(BIN)/python manage.py

.PHONY: run test test-quick lint format bench install install-dev clean html-checker

$(BIN)/uv:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8

.env:
	cp .env.example .env

# --inexact keeps uv itself (a dev dependency) in the environment.
install: $(BIN)/uv .env
	$(UV) sync --frozen --no-dev --inexact

# Bytecode is compiled for the tests: where PYTHONDONTWRITEBYTECODE is set, each of the
# suite's subprocesses would otherwise compile Django and Wagtail anew (about 6 s each).
install-dev: $(BIN)/uv .env
	$(UV) sync --frozen --compile-bytecode

run: install
	$(MANAGE) migrate --noinput --skip-checks
	$(MANAGE) seed_demo --skip-checks
	@echo "The portal is at http://127.0.0.1:8000 (admin: http://127.0.0.1:8000/admin/). Stop with Ctrl+C."
	$(MANAGE) runserver 127.0.0.1:8000

# Every core (pytest-xdist; JOBS=1 for one process). Where DATABASE_URL and REDIS_URL are not
# set but PostgreSQL and redis-server are installed, the suite starts throwaway servers of its
# own (tests/servers.py); without them it runs on SQLite and says what it skipped and why.
JOBS ?= auto
test: install-dev html-checker
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n $(JOBS) --maxprocesses=6

# The W3C Nu HTML Checker for tests/portal/test_valid_html.py, where npm is installed (it
# runs with Java; without either, that test is skipped and says what to install).
VNU_JAR := var/tools/node_modules/vnu-jar/build/dist/vnu.jar
html-checker:
	@[ -f $(VNU_JAR) ] || ! command -v npm >/dev/null || \
		npm install --prefix var/tools --no-save --no-audit --no-fund --loglevel=error vnu-jar@26.9.27

# The inner loop: no browser and no services (SQLite, local memory, tasks in-process).
test-quick: install-dev
	env -u DATABASE_URL -u REDIS_URL -u REQUIRE_SERVICES BARLEBEN_TEST_SERVERS=none \
		$(BIN)/pytest -n $(JOBS) --maxprocesses=6 -m "not browser and not service" $(ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r . -x ./.venv,./tests,./bench,./var -lll
	# The layers: the import-linter contracts in pyproject.toml.
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The home page and notice board benchmarks build their own SQLite database under var/ (the
# API's full listing reuses the notice board's); a
# DATABASE_URL given here is used by all three, so the home page is then measured with the
# notice benchmark's 12,000 pages. The fan-out needs PostgreSQL and Redis (by default the
# database barleben_bench_fanout and Redis db 5) and takes 7–10 minutes. The archive needs them
# too (barleben_bench_archive, Redis db 6); its first run builds 100,000 documents (about 20
# minutes), later runs take about 10 minutes. The survey benchmark needs PostgreSQL
# (barleben_bench_participation; 100,000 responses loaded on the first run). The public pages'
# benchmark loads all of it into one database (barleben_bench_pages, Redis db 8; about 15
# minutes the first time) and loads gunicorn with wrk at 8 and 32 connections.
bench: install-dev
	$(BIN)/python bench/home_page.py
	$(BIN)/python bench/notices.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/archive.py
	$(BIN)/python bench/services.py
	$(BIN)/python bench/participation.py
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) var
