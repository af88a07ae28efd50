#!/usr/bin/env bash
# Assembles an ONNX Runtime SDK folder with the official release layout:
#
#   <sdk>/include/onnxruntime_cxx_api.h ...   (C and C++ API headers)
#   <sdk>/lib/libonnxruntime.so.1             (the shared library)
#   <sdk>/lib/libonnxruntime.so -> libonnxruntime.so.1
#
# and prints <sdk> on the last line of stdout, so callers can write
#   cmake ... -DONNXRUNTIME_ROOT="$(scripts/fetch_onnxruntime.sh | tail -n1)"
#
# Why two sources: ONNX Runtime is not packaged for Debian bookworm. The
# official prebuilt library ships inside the npm package onnxruntime-node, and
# matching headers ship in Debian trixie's libonnxruntime-dev. The C API is
# backward compatible, so headers of an older release work with a newer
# library (checked below: header ORT_API_VERSION <= library API version).
#
# If ONNXRUNTIME_ROOT is set and already holds a valid SDK (e.g. the official
# tarball), it is printed as is. Downloads are cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/inferd/downloads; a second run does no
# network access at all. Progress goes to stderr; only the path goes to stdout.
set -euo pipefail

ORT_NPM_VERSION="1.30.0"  # library version; pinned so every build is the same
HEADERS_SUITE="trixie"    # Debian suite holding libonnxruntime-dev
HEADERS_PACKAGE="libonnxruntime-dev"

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/inferd"
SDK_DIR="${CACHE_ROOT}/onnxruntime-sdk"
DOWNLOAD_DIR="${CACHE_ROOT}/downloads"
STAMP_FILE="${SDK_DIR}/.inferd-sdk-stamp"
STAMP_CONTENT="onnxruntime-node=${ORT_NPM_VERSION} headers=${HEADERS_SUITE}/${HEADERS_PACKAGE}"

log() { echo "fetch_onnxruntime: $*" >&2; }
die() { log "error: $*"; exit 1; }

sdk_is_valid() {
  local root="$1"
  [[ -f "${root}/include/onnxruntime_cxx_api.h" && -f "${root}/include/onnxruntime_c_api.h" ]] &&
    [[ -e "${root}/lib/libonnxruntime.so" ]]
}

# 1. A user-provided SDK wins.
if [[ -n "${ONNXRUNTIME_ROOT:-}" ]]; then
  if sdk_is_valid "${ONNXRUNTIME_ROOT}"; then
    echo "${ONNXRUNTIME_ROOT}"
    exit 0
  fi
  log "ONNXRUNTIME_ROOT=${ONNXRUNTIME_ROOT} is not a valid SDK (needs include/onnxruntime_cxx_api.h" \
      "and lib/libonnxruntime.so); assembling one under ${SDK_DIR} instead"
fi

# 2. Fast path: already assembled by this script with the same pins.
if sdk_is_valid "${SDK_DIR}" && [[ -f "${STAMP_FILE}" && "$(cat "${STAMP_FILE}")" == "${STAMP_CONTENT}" ]]; then
  echo "${SDK_DIR}"
  exit 0
fi

mkdir -p "${CACHE_ROOT}" "${DOWNLOAD_DIR}"

# Several builds may call this at once: serialize them, then re-check.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${CACHE_ROOT}/onnxruntime-sdk.lock"
  flock 9
  if sdk_is_valid "${SDK_DIR}" && [[ -f "${STAMP_FILE}" && "$(cat "${STAMP_FILE}")" == "${STAMP_CONTENT}" ]]; then
    echo "${SDK_DIR}"
    exit 0
  fi
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/inferd-ort.XXXXXX")"
# Staged beside the final folder so the last step is a rename, not a copy.
STAGING="$(mktemp -d "${CACHE_ROOT}/onnxruntime-sdk.staging.XXXXXX")"
trap 'rm -rf "${WORK_DIR}" "${STAGING}"' EXIT

case "$(uname -m)" in
  x86_64 | amd64) NPM_ARCH="x64" ;;
  aarch64 | arm64) NPM_ARCH="arm64" ;;
  *) die "unsupported machine architecture $(uname -m) (onnxruntime-node ships x64 and arm64 only)" ;;
esac

# --- The library, from the npm package --------------------------------------
fetch_library() {
  local tarball="${DOWNLOAD_DIR}/onnxruntime-node-${ORT_NPM_VERSION}.tgz"
  if [[ ! -s "${tarball}" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed to fetch onnxruntime-node (apt-get install npm)"
    log "downloading onnxruntime-node@${ORT_NPM_VERSION} with npm pack"
    local pack_dir="${WORK_DIR}/npm"
    mkdir -p "${pack_dir}"
    (cd "${pack_dir}" && npm pack --silent "onnxruntime-node@${ORT_NPM_VERSION}" >/dev/null 2>"${pack_dir}/npm.log") ||
      { cat "${pack_dir}/npm.log" >&2; die "npm pack onnxruntime-node@${ORT_NPM_VERSION} failed"; }
    mv "${pack_dir}/onnxruntime-node-${ORT_NPM_VERSION}.tgz" "${tarball}"
  fi
  # The package ships only libonnxruntime.so.1 per platform (no CUDA provider
  # libraries: onnxruntime-node downloads those in a post-install step).
  local member="package/bin/napi-v6/linux/${NPM_ARCH}/libonnxruntime.so.1"
  tar -xzf "${tarball}" -C "${WORK_DIR}" "${member}" ||
    die "${tarball} has no ${member}; was the package layout changed?"
  mkdir -p "${STAGING}/lib"
  cp "${WORK_DIR}/${member}" "${STAGING}/lib/libonnxruntime.so.1"
  ln -sf libonnxruntime.so.1 "${STAGING}/lib/libonnxruntime.so"
}

# --- The headers, from Debian's package --------------------------------------

# Prints "<uri> <signed-by keyring or empty>" for the system's main Debian
# mirror, read from its own apt sources (deb822 first, then one-line format),
# so no host name is hard-coded here.
system_debian_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "${file}" ]] || continue
    # Stanzas are separated by blank lines; keep the first one whose suites
    # are not security updates.
    awk '
      function flush() {
        if (uri != "" && suites !~ /security/ && !done) { print uri, keyring; done = 1 }
        uri = ""; suites = ""; keyring = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { $1 = ""; suites = $0 }
      /^Signed-By:/ { keyring = $2 }
      END { flush() }
    ' "${file}"
  done
  if [[ -f /etc/apt/sources.list ]]; then
    awk '$1 == "deb" && $0 !~ /security/ {
           for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i, ""; exit }
         }' /etc/apt/sources.list
  fi
}

fetch_headers_deb() {
  local cached
  cached="$(ls -1 "${DOWNLOAD_DIR}/${HEADERS_PACKAGE}"_*.deb 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -n "${cached}" ]]; then
    echo "${cached}"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get is needed to fetch ${HEADERS_PACKAGE}"
  local mirror keyring
  read -r mirror keyring < <(system_debian_mirror | head -n1) || true
  [[ -n "${mirror:-}" ]] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
  if [[ -z "${keyring:-}" ]]; then
    keyring="/usr/share/keyrings/debian-archive-keyring.gpg"
  fi
  log "downloading ${HEADERS_PACKAGE} from ${mirror} ${HEADERS_SUITE} (private apt state; system apt untouched)"

  local apt_dir="${WORK_DIR}/apt"
  mkdir -p "${apt_dir}/lists/partial" "${apt_dir}/archives/partial" "${apt_dir}/download"
  echo "deb [signed-by=${keyring}] ${mirror} ${HEADERS_SUITE} main" >"${apt_dir}/sources.list"
  local apt_options=(
    -o "Dir::Etc::SourceList=${apt_dir}/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=${apt_dir}/lists"
    -o "Dir::Cache::Archives=${apt_dir}/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  )
  # apt drops to the _apt user, which cannot write into our private temp dir.
  if [[ "$(id -u)" == "0" ]]; then apt_options+=(-o "APT::Sandbox::User=root"); fi

  apt-get "${apt_options[@]}" -qq update >"${apt_dir}/update.log" 2>&1 ||
    { cat "${apt_dir}/update.log" >&2; die "apt-get update for ${HEADERS_SUITE} failed"; }
  (cd "${apt_dir}/download" && apt-get "${apt_options[@]}" -qq download "${HEADERS_PACKAGE}") \
    >"${apt_dir}/download.log" 2>&1 ||
    { cat "${apt_dir}/download.log" >&2; die "apt-get download ${HEADERS_PACKAGE} failed"; }
  local deb
  deb="$(ls -1 "${apt_dir}/download/${HEADERS_PACKAGE}"_*.deb | head -n1)"
  mv "${deb}" "${DOWNLOAD_DIR}/"
  echo "${DOWNLOAD_DIR}/$(basename "${deb}")"
}

fetch_headers() {
  local deb
  deb="$(fetch_headers_deb)"
  log "extracting headers from $(basename "${deb}")"
  local extract_dir="${WORK_DIR}/deb"
  dpkg-deb -x "${deb}" "${extract_dir}" || die "dpkg-deb -x ${deb} failed"
  # Debian nests the headers under include/onnxruntime/; the official release
  # puts them directly under include/. Accept either.
  local header_root
  header_root="$(dirname "$(find "${extract_dir}/usr/include" -name onnxruntime_cxx_api.h | head -n1)")"
  [[ -f "${header_root}/onnxruntime_cxx_api.h" ]] || die "${deb} holds no onnxruntime_cxx_api.h"
  mkdir -p "${STAGING}/include"
  cp -R "${header_root}/." "${STAGING}/include/"
}

# --- Version check -------------------------------------------------------------

header_api_version() {
  sed -n 's/^#define ORT_API_VERSION \([0-9][0-9]*\).*/\1/p' "${STAGING}/include/onnxruntime_c_api.h" | head -n1
}

# Asks the library itself (OrtGetApiBase()->GetVersionString()) when Python is
# at hand; the API version of release 1.N is N. Falls back to the pinned version.
library_version() {
  local version=""
  if command -v python3 >/dev/null 2>&1; then
    version="$(python3 - "${STAGING}/lib/libonnxruntime.so.1" <<'PY' 2>/dev/null || true
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.OrtGetApiBase.restype = ctypes.POINTER(ctypes.c_void_p * 2)
get_version = ctypes.CFUNCTYPE(ctypes.c_char_p)(lib.OrtGetApiBase().contents[1])
print(get_version().decode())
PY
)"
  fi
  echo "${version:-${ORT_NPM_VERSION}}"
}

check_versions() {
  local header_api lib_version lib_api
  header_api="$(header_api_version)"
  lib_version="$(library_version)"
  lib_api="$(echo "${lib_version}" | cut -d. -f2)"
  [[ -n "${header_api}" ]] || die "could not read ORT_API_VERSION from onnxruntime_c_api.h"
  if ((header_api > lib_api)); then
    die "headers need ORT_API_VERSION ${header_api} but the library ${lib_version} provides only ${lib_api}"
  fi
  log "headers ORT_API_VERSION ${header_api} <= library ${lib_version} (API ${lib_api}): compatible"
}

# --- Assemble in a staging folder, then move into place ------------------------
fetch_library
fetch_headers
check_versions
echo "${STAMP_CONTENT}" >"${STAGING}/.inferd-sdk-stamp"

rm -rf "${SDK_DIR}.old"
if [[ -e "${SDK_DIR}" ]]; then mv "${SDK_DIR}" "${SDK_DIR}.old"; fi
chmod 755 "${STAGING}"
mv "${STAGING}" "${SDK_DIR}"
rm -rf "${SDK_DIR}.old"
log "ONNX Runtime SDK ready"
echo "${SDK_DIR}"
