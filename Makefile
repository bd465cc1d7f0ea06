# Wegweiser: `make run` starts the assistant, `make test` runs every check.
# Both create .venv at the repository root on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard translations/*/LC_MESSAGES/*.po)
COMPILED := $(CATALOGS:.po=.mo)
# Exact versions with their sha256 hashes: runtime (the Docker image) and dev (runtime + tools).
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt

.PHONY: run chat test lint typecheck unit catalogs extract update-catalogs migrate bench lock clean

# Everything from the dev lock, each file checked against its hash (pip itself included: the
# venv's own pip installs the locked one); then the project alone, built with the locked
# setuptools (no build isolation, so nothing unpinned is fetched).
$(STAMP): pyproject.toml $(RUNTIME_LOCK) $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Rewrites both lock files from pyproject.toml. Pins that still fit pyproject's bounds are
# kept, so adding a dependency changes only what it brings. To move pins forward:
#   make lock UPGRADE=all               every package to the newest release the bounds allow
#   make lock UPGRADE="aiogram redis"   only these (each passed as --upgrade-package)
# The dev lock is constrained by the runtime lock: both name the same versions.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
ifeq ($(UPGRADE),all)
LOCK_FLAGS += --upgrade
else
LOCK_FLAGS += $(foreach package,$(UPGRADE),--upgrade-package $(package))
endif
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) \
		--build-deps-for wheel -o $(RUNTIME_LOCK) pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) \
		--build-deps-for editable --extra dev -c $(RUNTIME_LOCK) -o $(DEV_LOCK) pyproject.toml

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

# Two workers, each taking whole test files (a file's tests share servers and fixtures), in
# the order tests/conftest.py gives them: the slow end-to-end files first. pytest-xdist would
# otherwise hand out the files with the most tests first, leaving those for the end.
# The search index's sentence vectors are embedded once first: otherwise both workers and
# the first bots they start would embed the same content at once on a fresh machine.
unit: $(STAMP) catalogs
	$(BIN)/wegweiser kb index
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=25

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
	$(BIN)/python -m benchmarks.matching --faq ../shared/bench/matching/covidqa_faq.jsonl \
		--queries ../shared/bench/matching/covidqa_queries_dev.jsonl
	$(BIN)/python -m benchmarks.matching --faq ../shared/bench/matching/xsid_faq.jsonl \
		--queries ../shared/bench/matching/xsid_queries_dev.jsonl

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
