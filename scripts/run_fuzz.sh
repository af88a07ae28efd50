#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang (ASan + UBSan) and
# runs each for FUZZ_SECONDS (default 30) from the committed seed corpus.
# A crash, leak or sanitizer report fails the run and leaves the reproducer
# under build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-30}"
ORT_ROOT="$(bash scripts/fetch_onnxruntime.sh | tail -n1)"

CC=clang-14 CXX=clang++-14 cmake -S . -B "${BUILD}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DONNXRUNTIME_ROOT="${ORT_ROOT}" -DINFERD_FUZZ=ON -DINFERD_BUILD_TESTS=OFF -DINFERD_BUILD_BENCH=OFF \
  -DINFERD_SANITIZE="address;undefined;fuzzer-no-link" >/dev/null
fuzzers=(http_infer_request_fuzzer http_framing_fuzzer model_config_fuzzer grpc_infer_request_fuzzer
  model_control_fuzzer)
# The image fuzzer exists when the OCR backend (OpenCV) is built.
grep -q "image_decode_fuzzer:" <(ninja -C "${BUILD}" -t targets all 2>/dev/null) && fuzzers+=(image_decode_fuzzer)
cmake --build "${BUILD}" -j "${JOBS:-2}" --target "${fuzzers[@]}"
# Seeds for the binary formats (PNG/JPEG, protobuf), generated, not committed.
.venv/bin/python tests/fuzz/make_seeds.py "${BUILD}/corpus"

mkdir -p "${BUILD}/findings"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$(pwd)/tests/sanitizer/ubsan.supp"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
for fuzzer in "${fuzzers[@]}"; do
  corpus="${BUILD}/corpus/${fuzzer%_fuzzer}"
  mkdir -p "${corpus}"
  if [[ -d tests/fuzz/corpus/"${fuzzer%_fuzzer}" ]]; then cp -n tests/fuzz/corpus/"${fuzzer%_fuzzer}"/* "${corpus}/"; fi
  echo "fuzz: ${fuzzer} for ${SECONDS_PER_TARGET}s"
  "${BUILD}/tests/fuzz/${fuzzer}" -max_total_time="${SECONDS_PER_TARGET}" -print_final_stats=1 \
    -artifact_prefix="${BUILD}/findings/${fuzzer}-" "${corpus}" >"${BUILD}/findings/${fuzzer}.log" 2>&1 ||
    { tail -n 60 "${BUILD}/findings/${fuzzer}.log"; echo "fuzz: ${fuzzer} failed" >&2; exit 1; }
  tail -n 6 "${BUILD}/findings/${fuzzer}.log"
done
echo "fuzz: no crashes"
