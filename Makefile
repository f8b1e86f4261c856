# Two commands for a new user on Debian 12, as root: `make run` and `make test`.
# Both set up whatever is missing first (Debian packages, the virtual
# environment, pip packages).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint translations clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-test.txt pyproject.toml scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-test.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# For developers who changed texts: re-extract them and merge into the .po
# files, which translators then complete. The kiosk reads the .po files
# directly, so there is no compile step.
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
	  -o kiosk/locale/kiosk.pot .
	for lang in ro hu; do \
	  test -f kiosk/locale/$$lang/LC_MESSAGES/kiosk.po \
	    || $(VENV)/bin/pybabel init -D kiosk -d kiosk/locale -l $$lang -i kiosk/locale/kiosk.pot; \
	  $(VENV)/bin/pybabel update -D kiosk -d kiosk/locale -l $$lang -i kiosk/locale/kiosk.pot \
	    --no-fuzzy-matching --ignore-obsolete; \
	done

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
