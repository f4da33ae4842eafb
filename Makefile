# Every target that runs code first makes sure its setup is done, so that
# `make demo` and `make test` work on a fresh Debian machine. Setup is
# idempotent and fast once done (stamp files under .venv/).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# chromium: the status page's tests and `make demo`'s screenshot drive it headless.
# systemd: systemd-analyze checks contrib/systemd's unit; it needs no running systemd.
SYSTEM_PACKAGES := groovy gearman-job-server openssh-server chromium systemd
# The commands those packages provide; all present means nothing to install.
SYSTEM_COMMANDS := groovy gearmand sshd chromium systemd-analyze
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Groovy's launcher needs JAVA_HOME; derive it from the java on PATH.
export JAVA_HOME ?= $(shell j=$$(command -v java) && dirname $$(dirname $$(readlink -f $$j)))
export PATH := $(PATH):/usr/sbin

PYTEST_ARGS ?=
# Most of the suite waits on JVMs, sockets and builds: two workers (one test
# file each at a time, so module-scoped doubles stay in one process) halve it.
PARALLEL := -n 2 --dist loadfile

.PHONY: all install sysdeps test test-faults demo bench lint clean

all: install

sysdeps: $(VENV)/.sysdeps
# Checked again when the Makefile changes: a package added to the list reaches checkouts set up before.
$(VENV)/.sysdeps: Makefile
	@missing=""; for c in $(SYSTEM_COMMANDS); do \
	  command -v $$c >/dev/null 2>&1 || PATH=$$PATH:/usr/sbin command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages ($(SYSTEM_PACKAGES)); missing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

install: $(VENV)/.installed
$(VENV)/.installed: setup.cfg setup.py | $(VENV)/.sysdeps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

test: install
	$(BIN)/pytest $(PARALLEL) $(PYTEST_ARGS)

test-faults: install
	$(BIN)/pytest $(PARALLEL) -m 'faults or not faults' $(PYTEST_ARGS)

demo: install
	$(BIN)/python -m tests.demo

bench: install
	$(BIN)/python -m tests.bench

lint: install
	$(BIN)/ruff check controller groovy_templates tests
	$(BIN)/ruff format --check controller groovy_templates tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
