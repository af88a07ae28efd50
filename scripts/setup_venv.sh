#!/usr/bin/env bash
# Creates or updates the Python venv at .venv from requirements.txt.
#
# The stamp lives inside the venv, so deleting .venv (or a fresh clone) always
# rebuilds it, and a changed requirements file, a changed script or a different
# base Python invalidates it. The wheels are kept in a wheelhouse under
# ${XDG_CACHE_HOME:-~/.cache}/inferd/wheels keyed by the requirements and the
# Python version, so rebuilding the venv (every fresh clone, every CI run)
# needs no network. pip's own HTTP cache is not relied on: on some machines it
# stores nothing.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo_root/.venv"
requirements="$repo_root/requirements.txt"
base_python=${INFERD_PYTHON:-python3}
stamp="$venv/.inferd-setup-stamp"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/inferd"

base_version=$("$base_python" -c 'import sys; print(sys.version.split()[0])')
# Wheels depend on the requirements and the Python; the venv also on this script.
wheels_key=$({ cat "$requirements"; echo "$base_version"; } | sha256sum | cut -d' ' -f1)
key=$({ echo "$wheels_key"; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)

if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]] && "$venv/bin/python" -c '' 2>/dev/null; then
  echo "setup_venv: $venv is up to date"
  exit 0
fi

# A venv made by another Python (or a broken one) cannot be upgraded in place.
venv_version=$("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || true)
if [[ -d "$venv" && "$venv_version" != "$base_version" ]]; then
  echo "setup_venv: recreating $venv (it has Python '${venv_version:-broken}', want $base_version)"
  rm -rf "$venv"
fi
if [[ ! -d "$venv" ]]; then
  echo "setup_venv: creating $venv with $base_python $base_version"
  "$base_python" -m venv "$venv"
fi

pip=("$venv/bin/python" -m pip --disable-pip-version-check)
wheelhouse="$cache_root/wheels/$wheels_key"
if [[ ! -f "$wheelhouse/.complete" ]]; then
  echo "setup_venv: downloading the wheels of $requirements into $wheelhouse"
  rm -rf "$wheelhouse"
  mkdir -p "$wheelhouse"
  "${pip[@]}" download --progress-bar off -q -d "$wheelhouse" -r "$requirements"
  touch "$wheelhouse/.complete"
  # Wheelhouses of older requirements are dead weight (hundreds of MB each).
  find "$cache_root/wheels" -mindepth 1 -maxdepth 1 -type d ! -name "$wheels_key" -exec rm -rf {} +
fi
echo "setup_venv: installing $requirements from $wheelhouse"
"${pip[@]}" install --progress-bar off -q --no-index --find-links "$wheelhouse" -r "$requirements"

shopt -s nullglob
cudart_dirs=("$venv"/lib/python3*/site-packages/nvidia/cuda_runtime/lib)
shopt -u nullglob
if [[ ${#cudart_dirs[@]} -eq 0 || ! -e "${cudart_dirs[0]}/libcudart.so.12" ]]; then
  echo "setup_venv: libcudart.so.12 not found under $venv (nvidia-cuda-runtime-cu12)" >&2
  exit 1
fi
cudart_dir=${cudart_dirs[0]}

# So `perf_analyzer` works in an activated venv too (scripts/perf_analyzer
# does the same without activation).
activate="$venv/bin/activate"
marker="# inferd: libcudart.so.12 for perf_analyzer"
if ! grep -qF "$marker" "$activate"; then
  cat >>"$activate" <<EOF

$marker
case ":\${LD_LIBRARY_PATH:-}:" in
  *":$cudart_dir:"*) ;;
  *) export LD_LIBRARY_PATH="$cudart_dir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ;;
esac
EOF
fi

# Fail here, not in a benchmark later, when the binary cannot start.
if ! "$repo_root/scripts/perf_analyzer" --version >/dev/null 2>&1; then
  echo "setup_venv: perf_analyzer does not start:" >&2
  "$repo_root/scripts/perf_analyzer" --version >&2 || true
  exit 1
fi

echo "$key" >"$stamp"
echo "setup_venv: $venv is ready"
