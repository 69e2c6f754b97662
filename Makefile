# The two commands a newcomer needs are `make run` and `make test`; the rest are helpers.
.PHONY: run test test-fast chaos setup services models validate bench lock clean

setup:
	@scripts/setup.sh

services:
	@scripts/services.sh

models: setup
	.venv/bin/huifang models build

## Start the whole product on the embedded default (SQLite, web chat, demo campaign) in dev
## mode: random secrets for this run, demo customers' chat links printed (docs/security.md).
run: setup
	HUIFANG_DEV_MODE=true .venv/bin/huifang run

## Tests run in TEST_WORKERS processes (pytest-xdist), a whole file per process: module-scoped
## servers stay in one process, and most of a test's time is waiting on the servers it starts.
TEST_WORKERS ?= 2
PYTEST = .venv/bin/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

## Set everything up and run the whole test suite.
test: setup services
	.venv/bin/huifang models build
	$(PYTEST)

## Everything that needs no Rasa (no Rasa model, no Rasa server): a few minutes, for the
## edit-test loop. `make test` runs these and the Rasa ones.
test-fast: setup services
	$(PYTEST) -m "not rasa"

## The fault-injection harness: a campaign of 500 callbacks on a private PostgreSQL while every
## process is killed, PostgreSQL restarted and Rasa slowed (docs/reliability.md). `make test`
## runs a reduced one (tests/chaos/test_chaos.py).
chaos: setup models
	.venv/bin/python -m tests.chaos

validate: setup
	.venv-rasa/bin/rasa data validate --data data/nlu data/rules --domain domain.yml --config config.yml

bench: setup services models
	.venv/bin/python -m bench

lock:
	.venv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements/app.lock
	.venv-rasa/bin/pip freeze | grep -v '^-e' > requirements/rasa.lock

clean:
	rm -rf var models/rasa models/complaints
