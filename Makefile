# Two commands for a new user on Debian 12, as root: `make run` and `make test`.
# Both set up whatever is missing first (Debian packages, the virtual
# environment, pip packages, compiled translations).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint translations clean

setup: $(STAMP) translations

$(STAMP): requirements.txt requirements-test.txt pyproject.toml scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-test.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

translations: $(STAMP)
	$(PY) -m babel.messages.frontend compile --domain=kiosk --directory=kiosk/locale --statistics 2>&1 | grep -v '^$$' || true

run: setup
	bash scripts/run-demo.sh $(ARGS)

test: setup
	bash scripts/test.sh

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info
	find . -name '*.mo' -delete
