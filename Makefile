# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: run test lint format worker beat bench messages migrate clean

# Installs the dependencies, then builds deduce's lookup structures for the
# thorough screening (1-2 minutes, once per virtualenv; see deidentify.py).
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(MANAGE) build_screening
	touch $@

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

## Serve the platform on http://127.0.0.1:8000 (SQLite, tasks in-process),
## with a labelled synthetic demo set so the dashboard is not empty.
run: migrate
	$(MANAGE) load_seed_questionnaire
	$(MANAGE) load_seed_notes
	$(MANAGE) generate_responses --questionnaire brede-reflectie --count 3000 --seed 1 --only-if-empty
	$(MANAGE) create_demo_accounts
	$(MANAGE) runserver 127.0.0.1:8000

## The test suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set).
test: $(VENV)/.installed
	$(PY) -m pytest

## ruff, then mypy with django-stubs (configured in pyproject.toml; strict on
## services, queries and lib; its incremental cache is .mypy_cache/).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Celery against Redis: REDIS_URL must be set (see .env.example).
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A meldcode_survey worker --loglevel=INFO

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A meldcode_survey beat --loglevel=INFO

bench: $(VENV)/.installed
	$(PY) bench/run.py

## Regenerate and compile the Dutch translations (needs GNU gettext).
messages: $(VENV)/.installed
	$(MANAGE) makemessages --locale nl --ignore ".venv/*" --ignore "staticfiles/*" --ignore "bench/*" --ignore "tests/*"
	$(MANAGE) compilemessages --locale nl --ignore ".venv/*"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 var
