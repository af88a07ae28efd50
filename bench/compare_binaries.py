"""`make bench-compare`: two inferd binaries (before and after a change) on the
same machine in the same run, `simple` over HTTP with the stock perf_analyzer
at concurrency 1 and 8 (not part of `make test`).

The binaries take turns, ABAB..., one server at a time, so slow drift of the
machine hits both alike; each turn is one perf_analyzer run per concurrency.
The median of the turns is reported, with the range. The figures go to
build/bench-compare/ and into the comparison section of docs/benchmarks.md
(between its compare markers; bench/report.py keeps it).

Usage: .venv/bin/python bench/compare_binaries.py --before OLD/inferd --after NEW/inferd
       [--rounds 3] [--measurement-ms 4000] [--label-before main] [--label-after branch]
       [--no-report]
"""

import argparse
import csv
import datetime
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from server_process import InferdServer  # noqa: E402

from marked_section import write_section  # noqa: E402

CONCURRENCIES = (1, 8)


def perf_analyzer(server, concurrency, measurement_ms, csv_path):
    """One stabilised perf_analyzer run; (infer/s, p50 us, p99 us)."""
    command = [str(ROOT / "scripts" / "perf_analyzer"), "-m", "simple", "-u", server.url, "-i", "http",
               "--concurrency-range", str(concurrency), "--measurement-interval", str(measurement_ms),
               "--stability-percentage", "15", "--max-trials", "12", "-f", str(csv_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    with open(csv_path) as handle:
        row = next(csv.DictReader(handle))
    return float(row["Inferences/Second"]), float(row["p50 latency"]), float(row["p99 latency"])


def measure(binary, out_dir, turn, measurement_ms):
    server = InferdServer([ROOT / "examples" / "simple"], out_dir / f"server_{turn}.log", binary=binary)
    server.start()
    try:
        return {c: perf_analyzer(server, c, measurement_ms, out_dir / f"{turn}_c{c}.csv") for c in CONCURRENCIES}
    finally:
        server.stop()


def summary(runs, concurrency, index):
    values = [run[concurrency][index] for run in runs]
    return statistics.median(values), min(values), max(values)


def report_lines(args, runs):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["## Before/after: `simple` over HTTP, two binaries in one run (`make bench-compare`)", "",
             f"{now}, {args.rounds} turns each, taken in turn (ABAB), one server at a time; perf_analyzer "
             f"`-m simple -i http`, {args.measurement_ms} ms windows. Median of the turns (range).", "",
             "| binary | concurrency | infer/s | p50 us | p99 us |", "|---|---|---|---|---|"]
    for label in (args.label_before, args.label_after):
        for concurrency in CONCURRENCIES:
            cells = []
            for index in range(3):
                median, low, high = summary(runs[label], concurrency, index)
                cells.append(f"{median:,.0f} ({low:,.0f}-{high:,.0f})")
            lines.append(f"| {label} | {concurrency} | " + " | ".join(cells) + " |")
    lines.append("")
    for concurrency in CONCURRENCIES:
        before = summary(runs[args.label_before], concurrency, 0)[0]
        after = summary(runs[args.label_after], concurrency, 0)[0]
        lines.append(f"- concurrency {concurrency}: {args.label_after} / {args.label_before} = "
                     f"{after / before:.3f} in median throughput")
    lines += ["", "```", f".venv/bin/python bench/compare_binaries.py --before {args.before} --after {args.after} "
              f"--rounds {args.rounds} --label-before {args.label_before} --label-after {args.label_after}", "```"]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--label-before", default="before")
    parser.add_argument("--label-after", default="after")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measurement-ms", type=int, default=4000)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    out_dir = ROOT / "build" / "bench-compare"
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = {args.label_before: [], args.label_after: []}
    for round_index in range(args.rounds):
        order = [(args.label_before, args.before), (args.label_after, args.after)]
        if round_index % 2:
            order.reverse()
        for label, binary in order:
            result = measure(binary, out_dir, f"{label}_{round_index}", args.measurement_ms)
            runs[label].append(result)
            print(f"round {round_index} {label}: " +
                  ", ".join(f"c{c} {result[c][0]:,.0f}/s p50 {result[c][1]:,.0f} us" for c in CONCURRENCIES),
                  flush=True)
    lines = report_lines(args, runs)
    (out_dir / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if not args.no_report:
        write_section(ROOT / "docs" / "benchmarks.md", "compare", lines)


if __name__ == "__main__":
    main()
