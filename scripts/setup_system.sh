#!/usr/bin/env bash
# Installs the Debian bookworm packages inferd builds and tests with.
#
# Asks dpkg which packages are missing first, so a machine that already has
# everything never touches apt (no update, no network, well under a second).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  # Python venv for tests and tools (scripts/setup_venv.sh)
  python3-venv
  # libraries the server links
  libboost-dev libboost-system-dev libgrpc++-dev protobuf-compiler-grpc
  libprotobuf-dev protobuf-compiler rapidjson-dev libcli11-dev libspdlog-dev
  libfmt-dev zlib1g-dev
  # abseil (base64 of uploaded model files; also what gRPC is built on)
  libabsl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # OCR backend (src/backends/ocr): image decoding, resizing, contours, warps
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  # fonts the OCR tests render known text with
  fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf
  # libFuzzer targets (scripts/run_fuzz.sh)
  clang-14 libclang-rt-14-dev
  # perf_analyzer (shipped in the tritonclient wheel) links libb64.so.0d
  libb64-0d
  # a real Prometheus server scrapes /metrics in tests/integration/test_metrics.py
  prometheus
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$package")
  fi
done

# Tools that may come from outside Debian (pyenv, nodesource...): asked for by
# command, and installed from Debian only when absent altogether.
# npm fetches the ONNX Runtime library (scripts/fetch_onnxruntime.sh).
for tool_and_package in python3:python3 npm:npm; do
  if ! command -v "${tool_and_package%%:*}" >/dev/null; then
    missing+=("${tool_and_package#*:}")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup_system: all ${#packages[@]} Debian packages are installed"
  exit 0
fi

echo "setup_system: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "setup_system: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi
# Through env so the setting survives sudo's environment reset.
sudo_cmd+=(env DEBIAN_FRONTEND=noninteractive)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
