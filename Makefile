# Wegweiser: `make run` starts the assistant, `make test` runs every check.
# Both create .venv at the repository root on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard translations/*/LC_MESSAGES/*.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run chat test lint typecheck unit catalogs extract update-catalogs migrate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations/%.mo: translations/%.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

catalogs: $(COMPILED)

# Start the Telegram bot when BOT_TOKEN is set, else the console chat on the shipped content.
run: $(STAMP) catalogs
	$(BIN)/wegweiser start

chat: $(STAMP) catalogs
	$(BIN)/wegweiser chat

migrate: $(STAMP)
	$(BIN)/wegweiser db upgrade

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check bot dialogs knowledge benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Two workers, each taking whole test files (a file's tests share servers and fixtures).
unit: $(STAMP) catalogs
	$(BIN)/pytest -q -n 2 --dist loadfile

test: lint typecheck unit

extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		-o translations/messages.pot bot dialogs
	$(BIN)/pybabel extract -F babel-admin.cfg -k N_ --no-location --sort-output --omit-header \
		-o translations/admin.pot .

update-catalogs: extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages \
		--no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/pybabel update -i translations/admin.pot -d translations -D admin -l de \
		--no-fuzzy-matching --ignore-obsolete --no-wrap

bench: $(STAMP)
	$(BIN)/python -m knowledge.bench --faq ../shared/bench/matching/covidqa_faq.jsonl \
		--queries ../shared/bench/matching/covidqa_queries_dev.jsonl
	$(BIN)/python -m knowledge.bench --faq ../shared/bench/matching/xsid_faq.jsonl \
		--queries ../shared/bench/matching/xsid_queries_dev.jsonl

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
