# Entry points. Each target is a thin wrapper over scripts/ and CMake so the
# same steps can be run by hand.
#
#   make setup             Debian packages, ONNX Runtime SDK, .venv, example models
#   make build             setup + configure (Ninja) + build into build/
#   make serve             build, then run build/inferd on examples/simple (+ examples/ocr)
#   make test              the newcomer's suite: build, unit + integration tests
#   make test-all          make test, then ASan+UBSan, TSan and the fuzzers (what CI runs)
#   make test-unit         ctest in build/
#   make test-integration  pytest tests/integration against build/inferd
#   make test-asan         ASan+UBSan build in build-asan/, ctest + pytest against it
#   make test-tsan         ThreadSanitizer build of the scheduler unit tests in build-tsan/
#   make test-fuzz         libFuzzer (clang, ASan+UBSan) on the HTTP and gRPC request decoders,
#                          the config parser and the image decoder,
#                          FUZZ_SECONDS each (default 30)
#   make bench             bench/run.sh (never part of make test)
#   make soak              bench/soak.py: 10 minutes of mixed load, RSS and descriptors sampled
#                          (SOAK_SECONDS to change; never part of make test)
#   make bench-compare     BEFORE=<other inferd>: it and build/inferd in turn, simple over HTTP
#                          at concurrency 1 and 8 (bench/compare_binaries.py; never part of make test)
#   make clean             remove build/ and build-asan/
#
# Variables: ONNXRUNTIME_ROOT (an SDK of your own, e.g. the official tarball),
# SERVE_ARGS (extra inferd flags), PYTEST_ARGS, CMAKE_ARGS.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

BUILD_DIR := build
# ccache: hash paths relative to the checkout so a fresh clone elsewhere still
# hits the cache (CI clones anew every run).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
ASAN_BUILD_DIR := build-asan
TSAN_BUILD_DIR := build-tsan
# Unit tests of the concurrent parts, run under ThreadSanitizer.
TSAN_TESTS := direct_scheduler_test http_server_test dynamic_batcher_test in_order_delivery_test statistics_test ensemble_scheduler_test fake_clock_test server_test each_request_runner_test shared_arena_test
space := $(subst ,, )
# 2-core machines: ninja's default (cores + 2) makes C++ builds swap-bound.
JOBS ?= 2

MODEL_REPOSITORIES := --model-repository examples/simple \
	$(if $(wildcard examples/ocr),--model-repository examples/ocr) \
	$(if $(wildcard examples/ocr_python),--model-repository examples/ocr_python)

# Set up (a second run takes a second), configure and build one folder, with
# the ONNX Runtime SDK that scripts/setup.sh prints (it honours
# $ONNXRUNTIME_ROOT): $(call setup_and_build,<dir>,<extra cmake args>)
define setup_and_build
	onnxruntime_root=$$(bash scripts/setup.sh) && \
	cmake -S . -B $(1) -G Ninja -DONNXRUNTIME_ROOT="$$onnxruntime_root" $(2) $(CMAKE_ARGS) && \
	cmake --build $(1) -j $(JOBS)
endef

.PHONY: setup build serve test test-all test-unit test-integration test-asan build-asan test-tsan test-fuzz bench soak bench-compare clean

setup:
	bash scripts/setup.sh >/dev/null

build:
	$(call setup_and_build,$(BUILD_DIR),)

serve: build
	exec $(BUILD_DIR)/inferd $(MODEL_REPOSITORIES) $(SERVE_ARGS)

test: test-unit test-integration

test-all: test test-asan test-tsan test-fuzz

test-unit: build
	bash scripts/run_tests.sh unit $(BUILD_DIR)

test-integration: build
	bash scripts/run_tests.sh integration $(BUILD_DIR)

build-asan:
	$(call setup_and_build,$(ASAN_BUILD_DIR),-DINFERD_SANITIZE="address;undefined" -DINFERD_BUILD_BENCH=OFF)

test-asan: build-asan
	bash scripts/run_tests.sh unit $(ASAN_BUILD_DIR)
	bash scripts/run_tests.sh integration $(ASAN_BUILD_DIR)

test-tsan: setup
	onnxruntime_root=$$(bash scripts/setup.sh) && \
	cmake -S . -B $(TSAN_BUILD_DIR) -G Ninja -DONNXRUNTIME_ROOT="$$onnxruntime_root" \
	  -DINFERD_SANITIZE=thread -DINFERD_BUILD_BENCH=OFF $(CMAKE_ARGS) && \
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS) --target $(TSAN_TESTS)
	TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
	  ctest --test-dir $(TSAN_BUILD_DIR) --output-on-failure --no-tests=error \
	  -R '^($(subst $(space),|,$(strip $(TSAN_TESTS))))$$$$'


test-fuzz: setup
	bash scripts/run_fuzz.sh build-fuzz

ifneq ($(wildcard bench/run.sh),)
bench:
	$(call setup_and_build,$(BUILD_DIR),-DINFERD_BUILD_BENCH=ON)
	BUILD_DIR="$(abspath $(BUILD_DIR))" bash bench/run.sh
else
bench:
	@echo "make bench: bench/run.sh does not exist yet; nothing to run"
endif

soak: build
	.venv/bin/python bench/soak.py --binary $(BUILD_DIR)/inferd

# Two binaries, before and after a change: BEFORE=<path/to/inferd> [AFTER=build/inferd]
AFTER ?= $(BUILD_DIR)/inferd
bench-compare: build
	@test -n "$(BEFORE)" || { echo "make bench-compare: set BEFORE=<path to the other inferd binary>"; exit 2; }
	.venv/bin/python bench/compare_binaries.py --before "$(BEFORE)" --after "$(AFTER)"

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(TSAN_BUILD_DIR) build-fuzz
