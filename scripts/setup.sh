#!/usr/bin/env bash
# Brings a Debian bookworm machine from nothing to ready to build and test:
#
#   1. Debian packages            scripts/setup_system.sh
#   2. ONNX Runtime SDK           scripts/fetch_onnxruntime.sh (cached under
#                                 ${XDG_CACHE_HOME:-~/.cache}/inferd)
#   3. Python venv at .venv       scripts/setup_venv.sh
#   4. example models             scripts/make_example_models.py --only-missing
#   5. OCR models                 scripts/fetch_ocr_models.sh --install examples/ocr
#                                 (real PP-OCRv4 weights, cached like the SDK)
#
# Every step checks before it works, so a second run takes about a second and
# touches no network. The ONNX Runtime SDK path is printed on the last line of
# stdout (configure CMake with -DONNXRUNTIME_ROOT=<it>); a user-provided SDK in
# $ONNXRUNTIME_ROOT is used as is.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

step() { echo "setup: $*" >&2; }

step "1/5 Debian packages"
bash scripts/setup_system.sh >&2

step "2/5 ONNX Runtime SDK"
if [[ ! -f scripts/fetch_onnxruntime.sh ]]; then
  echo "setup: scripts/fetch_onnxruntime.sh is missing from this checkout" >&2
  exit 1
fi
onnxruntime_root=$(bash scripts/fetch_onnxruntime.sh | tail -n1)
if [[ ! -d "$onnxruntime_root/include" || ! -d "$onnxruntime_root/lib" ]]; then
  echo "setup: fetch_onnxruntime.sh printed '$onnxruntime_root', which has no include/ and lib/" >&2
  exit 1
fi
step "ONNX Runtime SDK at $onnxruntime_root"

step "3/5 Python venv"
bash scripts/setup_venv.sh >&2

step "4/5 example models"
.venv/bin/python scripts/make_example_models.py --only-missing >&2

step "5/5 OCR models"
bash scripts/fetch_ocr_models.sh --install examples/ocr >/dev/null

step "done"
echo "$onnxruntime_root"
