# The two commands of the README, and a few helpers. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help run test build validate lint bench screenshots clean system-packages node-packages

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP) ## set up, build the release and serve it on http://127.0.0.1:5000
	$(BIN)/mwg-graph build
	$(BIN)/mwg-graph serve

build: $(STAMP) ## validate data/ and publish a release to dist/
	$(BIN)/mwg-graph build

validate: $(STAMP) ## check data/ against the SHACL shapes
	$(BIN)/mwg-graph validate

# Debian packages the tests and benchmarks use: chromium-headless-shell (browser tests, through
# Playwright), chromium (Lighthouse, screenshots), strace (the test that no server or build process
# opens an outside connection), wrk (HTTP load in bench/).
SYSTEM_TOOLS := chromium chromium-headless-shell strace wrk
# Apache Jena's SHACL engine (Debian 12's jars), run by tests/test_shacl_engines.py as a single Java
# source file, which needs the JDK's compiler module: hence a JDK, not a JRE.
JENA_PACKAGE := libapache-jena-java
JENA_VERSION := 4.5.0-2

# Debian 12's nginx (any security update of 1.22.1-9) and Apache 2.4: the shipped rules for the
# static export and the replicas' load balancer (hosting/nginx/, hosting/apache/) are run by the
# tests; a package check, as both
# live in /usr/sbin.
NGINX_PACKAGE := nginx
NGINX_VERSION := 1.22.1-9*
APACHE_PACKAGE := apache2
APACHE_VERSION := 2.4.*
# Debian 12's Virtuoso 7.2.5: tests/test_virtuoso_publish.py publishes into it (a private database
# on loopback ports). Non-interactive: its debconf question (the dba password) keeps the default.
VIRTUOSO_PACKAGE := virtuoso-opensource
VIRTUOSO_VERSION := 7.2.5.*

system-packages: ## install Debian's chromium, strace, wrk, nginx, apache2, Virtuoso and Jena (with Java) when missing
	@missing=""; for tool in $(SYSTEM_TOOLS); do \
	  command -v $$tool >/dev/null 2>&1 || [ -x /usr/sbin/$$tool ] || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing:$$missing"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; fi
	@dpkg -s $(JENA_PACKAGE) >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing: $(JENA_PACKAGE)=$(JENA_VERSION) default-jdk-headless"; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq $(JENA_PACKAGE)=$(JENA_VERSION) default-jdk-headless; }
	@dpkg -s $(NGINX_PACKAGE) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing: $(NGINX_PACKAGE)=$(NGINX_VERSION)"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq '$(NGINX_PACKAGE)=$(NGINX_VERSION)'; }
	@dpkg -s $(APACHE_PACKAGE) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing: $(APACHE_PACKAGE)=$(APACHE_VERSION)"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends \
	    '$(APACHE_PACKAGE)=$(APACHE_VERSION)'; }
	@dpkg -s $(VIRTUOSO_PACKAGE) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing: $(VIRTUOSO_PACKAGE)=$(VIRTUOSO_VERSION)"; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends '$(VIRTUOSO_PACKAGE)=$(VIRTUOSO_VERSION)'; }

# JavaScript clients the tests drive (jsonld.js, rdf-validate-shacl, Lighthouse), pinned by
# tests/js/package-lock.json and installed into tests/js/node_modules (git-ignored). Node.js and
# npm come from Debian when missing.
JS_STAMP := tests/js/node_modules/.package-lock.json

node-packages: $(JS_STAMP) ## install the pinned npm packages the tests use (tests/js)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing: nodejs npm"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; }
	cd tests/js && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(JS_STAMP)

# Tests in TEST_WORKERS processes (pytest-xdist): most of a test's time is spent waiting on a server,
# a browser or a socket, so 4 processes keep 2 cores busy (6 were slower). tests/conftest.py keeps a
# module's tests in one process, the timing-sensitive modules one after another in two groups
# (XDIST_GROUPS), and starts the longest groups first (LONGEST_FIRST).
TEST_WORKERS ?= 4

test: $(STAMP) system-packages node-packages ## set up (Python and npm packages, chromium, strace) and run every test
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP) ## ruff check + format check
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

bench: $(STAMP) system-packages node-packages ## run the benchmarks and rewrite BENCHMARKS.md
	$(BIN)/python -m bench

screenshots: $(STAMP) system-packages ## photograph each page kind (Thai, English) into docs/screenshots/
	$(BIN)/python -m tools.screenshots

clean: ## remove the virtualenv and dist/
	rm -rf $(VENV) dist
