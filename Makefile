# Conduct Portal. `make run` serves the portal on the embedded default; `make test` runs
# every test, on PYTEST_WORKERS processes (0: in this one); `make coverage` measures the
# branch coverage of permissions/ on one; `make bench` measures every page and job against a
# national data set in PostgreSQL (BENCH_ARGS, e.g. --requests 100000; see bench/README.md).
# Each creates the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test coverage lint install migrate seed clean bench screenshots messages catalogue

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

# The Urdu catalogue, compiled whenever its source changed (Babel: no system gettext).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
messages: $(CATALOGUES)

locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

# After adding or changing a translatable string: bring the catalogue up to date, then
# translate what it marks (tests/languages/test_catalogue.py fails until every entry is).
catalogue: install
	$(BIN)/python manage.py makemessages -l ur --no-obsolete --ignore .venv --ignore bench \
		--ignore tests --ignore node_modules --ignore staticfiles --ignore var --ignore media

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "Serving Conduct Portal on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The report comes even when a test fails, and then the target fails too.
coverage: install
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -p no:xdist $(PYTEST_ARGS); status=$$?; \
	$(BIN)/coverage report --skip-covered; exit $$status

# The README's pictures, taken by the browser test that walks the three journeys.
screenshots: install
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -p no:xdist -q \
		tests/browser/test_journeys_accessible.py tests/browser/test_journeys_in_urdu.py \
		tests/letters/test_urdu.py

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
