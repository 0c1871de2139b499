# OCOP planning workbook. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PLAN   ?= data/bac-giang/2025
PARAMS ?=
OUT    ?= outputs
PYTEST_ARGS ?=
SCENARIOS ?=
SWEEP ?=
EXECUTOR ?= process

.DEFAULT_GOAL := help
.PHONY: help setup sysdeps nbfilter plan compare yoy test test-fast lint format lab bench validate clean

# What `make test` needs from Debian (make sysdeps): the chromium package (the browser tests drive
# /usr/bin/chromium, never a downloaded browser) and fonts-dejavu-core (the fallback fonts;
# tests/test_fontface.py prints with DejaVu as the only system fonts).
CHROMIUM_BIN := /usr/bin/chromium
DEJAVU_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
APT_GET := apt-get
IS_ROOT := $(if $(filter 0,$(shell id -u)),yes)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(VENV)/.installed nbfilter ## create .venv, install the workbook, register the notebook git filter

sysdeps: ## install chromium / fonts-dejavu-core if missing (as root; otherwise it stops saying the command)
	@missing=""; \
	test -x $(CHROMIUM_BIN) || missing="$$missing chromium"; \
	test -f $(DEJAVU_FONT) || missing="$$missing fonts-dejavu-core"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ -z "$(IS_ROOT)" ]; then \
	  echo "make test needs the Debian packages$$missing; as root it installs them itself. Run:" >&2; \
	  echo "  sudo apt-get install$$missing" >&2; \
	  exit 1; \
	fi; \
	echo "apt-get install$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$(APT_GET) update -qq && \
	$(APT_GET) install -y -qq -o DPkg::Lock::Timeout=300 $$missing >/dev/null

# git stores notebooks/*.ipynb without outputs (.gitattributes names this filter; ocop_helpers/nbclean.py)
nbfilter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.ocop-nbclean.clean '.venv/bin/python -m ocop_helpers.lab.nbclean'; fi

plan: $(VENV)/.installed ## build the yearly plan: make plan [PLAN=data/<province>/<year>] [PARAMS="a.yaml b.yaml"]
	$(PY) -m ocop_helpers build --plan $(PLAN) --out $(OUT) $(foreach f,$(PARAMS),--params $(f))

compare: $(VENV)/.installed ## compare scenarios: make compare SCENARIOS="a.yaml b.yaml" [SWEEP="rule=priority,optimum"] [PLAN=...]
	$(PY) -m ocop_helpers compare --plan $(PLAN) --out $(OUT) --executor $(EXECUTOR) $(SCENARIOS) $(foreach s,$(SWEEP),--sweep $(s))

yoy: $(VENV)/.installed ## this year's plan against last year's: make yoy PLAN=data/bac-ninh/2026
	$(PY) -m ocop_helpers yoy --plan $(PLAN) --out $(OUT)

report: $(VENV)/.installed ## the báo cáo as of a date from the results entered: make report [PLAN=...] [AS_OF=2025-12-15]
	$(PY) -m ocop_helpers report --plan $(PLAN) --out $(OUT) $(if $(AS_OF),--as-of $(AS_OF))

validate: $(VENV)/.installed ## check a plan's input files only: make validate [PLAN=...]
	$(PY) -m ocop_helpers validate --plan $(PLAN)

lint: $(VENV)/.installed ## ruff check, ruff format --check (make format rewrites), the import contract (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: sysdeps lint ## install the system packages if missing (sysdeps), lint, then the whole test suite
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed ## only the fast tests (no papermill, no browser)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lab: $(VENV)/.installed nbfilter ## start JupyterLab at the project root (notebooks/, scenarios/, outputs/) with the project's kernel
	@mkdir -p scenarios outputs
	JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config $(PY) -m jupyterlab --ServerApp.root_dir=$(CURDIR) --LabApp.app_settings_dir=$(CURDIR)/jupyter-config/lab/settings $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(VENV)/.installed ## run the benchmarks (prints ratios against in-run baselines; installs psutil)
	$(PY) -m pip install --quiet -e ".[bench]"
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove generated outputs (keeps .venv)
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
