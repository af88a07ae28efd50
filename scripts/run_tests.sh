#!/usr/bin/env bash
# Runs one test suite against one build folder:
#
#   scripts/run_tests.sh unit BUILD_DIR          ctest (the GoogleTest unit tests)
#   scripts/run_tests.sh integration BUILD_DIR   pytest tests/integration against
#                                                BUILD_DIR's inferd binary
#
# A build configured with INFERD_SANITIZE gets sanitizer runtime options. The
# sanitizers write their reports to files under BUILD_DIR/sanitizer-reports/,
# and any report fails the run, so a leak or UB in a server process whose exit
# code no test looked at is still caught.
# Extra pytest arguments: PYTEST_ARGS="-k versions -x".
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

die() { echo "run_tests: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 unit|integration BUILD_DIR"
suite=$1
build_dir=$(realpath -m "$2")
[[ -f "$build_dir/CMakeCache.txt" ]] || die "$build_dir is not a configured build folder (run make build)"

sanitize=$(sed -n 's/^INFERD_SANITIZE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
report_dir=""
if [[ -n "$sanitize" ]]; then
  report_dir="$build_dir/sanitizer-reports/$suite"
  rm -rf "$report_dir"
  mkdir -p "$report_dir"
  # halt_on_error: the first error stops the process, so a test cannot pass
  # past it. log_path: reports land in files checked below.
  export ASAN_OPTIONS="halt_on_error=1:print_stacktrace=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$report_dir/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$repo_root/tests/sanitizer/ubsan.supp:log_path=$report_dir/ubsan"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$report_dir/tsan"
  # Known third-party reports, each explained in its file.
  if [[ -f tests/sanitizer/lsan.supp ]]; then
    export LSAN_OPTIONS="suppressions=$repo_root/tests/sanitizer/lsan.supp:print_suppressions=0"
  fi
  if [[ -f tests/sanitizer/ubsan.supp ]]; then
    UBSAN_OPTIONS+=":suppressions=$repo_root/tests/sanitizer/ubsan.supp"
  fi
  echo "run_tests: $suite tests with sanitizers '$sanitize'; reports go to $report_dir"
fi

# Prints every sanitizer report and fails when there is one.
check_sanitizer_reports() {
  [[ -n "$report_dir" ]] || return 0
  local reports
  reports=$(find "$report_dir" -type f | sort)
  [[ -n "$reports" ]] || return 0
  local report
  for report in $reports; do
    echo "===== sanitizer report $report"
    cat "$report"
  done
  echo "run_tests: the sanitizers reported errors in the $suite tests (above)" >&2
  return 1
}

run_unit() {
  # --no-tests=error: a build that registered no test must not look green.
  local status=0
  ctest --test-dir "$build_dir" --output-on-failure --no-tests=error --timeout 300 -j2 || status=$?
  check_sanitizer_reports || status=1
  return $status
}

run_integration() {
  if [[ ! -d tests/integration ]]; then
    echo "run_tests: tests/integration does not exist yet; no integration tests to run"
    return 0
  fi
  [[ -x .venv/bin/python ]] || die ".venv is missing (run make setup)"
  local binary=""
  for candidate in "$build_dir/inferd" "$build_dir/src/app/inferd"; do
    if [[ -x "$candidate" ]]; then
      binary=$candidate
      break
    fi
  done
  [[ -n "$binary" ]] || die "no inferd binary in $build_dir (looked for inferd and src/app/inferd)"

  export INFERD_BINARY="$binary"
  export INFERD_PERF_ANALYZER="$repo_root/scripts/perf_analyzer"
  local status=0
  # shellcheck disable=SC2086  # PYTEST_ARGS is split on purpose
  .venv/bin/python -m pytest tests/integration ${PYTEST_ARGS:-} || status=$?
  if [[ $status -eq 5 ]]; then
    echo "run_tests: pytest collected no tests in tests/integration; that counts as a failure" >&2
    status=1
  fi
  check_sanitizer_reports || status=1
  return $status
}

case "$suite" in
  unit) run_unit ;;
  integration) run_integration ;;
  *) die "unknown suite '$suite' (unit or integration)" ;;
esac
