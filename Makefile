# The two commands a newcomer needs: `make run` and `make test` (see README.md).
.PHONY: setup setup-test run test lint bench

setup:
	scripts/system-deps.sh --runtime
	scripts/setup.sh

setup-test:
	scripts/system-deps.sh
	scripts/setup.sh --test

run: setup
	.venv/bin/composer-gui

test: setup-test
	.venv/bin/ruff check .
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
