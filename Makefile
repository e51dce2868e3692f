# Each target sets itself up: a fresh machine needs only `make run` or `make test`.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed
PORT    ?= 8501
# llama-cpp-python compiles llama.cpp once per environment (about 5 minutes on 2 cores);
# pip keeps the built wheel in its cache, so later environments reuse it.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test venv lint format bench chromium clean

run: $(RUNTIME)
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(DEV) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -p no:cacheprovider

venv: $(DEV)

$(RUNTIME): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

lint: $(DEV)
	$(VENV)/bin/ruff check .

format: $(DEV)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(DEV) chromium
	$(PY) bench/stream_overhead.py
	$(PY) bench/render_throughput.py
	$(PY) bench/compare_concurrency.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
