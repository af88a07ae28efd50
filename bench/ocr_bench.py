"""The OCR part of `make bench` (bench/run.sh calls each subcommand):

  ocr_bench.py images DIR
      Renders the benchmark's images with known text (tests/integration/
      ocr_images.py) into DIR/<set>/ and DIR/manifest.json (the lines drawn
      on each). Timed sets: `text` (20 images cropped close around one or
      two lines, as in the accuracy set) and `scenes` (10 photo-sized
      1280x960 JPEGs with text here and there). `accuracy`: the 50-image set
      of tests/integration/test_ocr_accuracy.py.

  ocr_bench.py clients --url HOST:PORT --images DIR --output FILE.json
      Times examples/ocr/client.py in both modes at concurrency 1 over HTTP
      on each timed set: two trips (client-side processing around
      text_detection and text_recognition) and the `ocr` ensemble (one
      request). Two trips and ensemble alternate image by image, so a slow
      moment of the machine hits both. Then reads the accuracy set both ways.

  ocr_bench.py score --images DIR --inprocess REPORT.json --output FILE.json
      Word accuracy of the in-process reference's report on the accuracy set.

Latency here is one image from encoded bytes to strings, as a user of the
client sees it; throughput at concurrency 1 is images / total time.
"""

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
import ocr_images  # noqa: E402  (after the path it lives on)

# name -> (renderer, seed, count)
TIMED_SETS = {
    "text": (ocr_images.sample_set, 7, 20),
    "scenes": (ocr_images.scene_set, 11, 10),
}
# The same set as tests/integration/test_ocr_accuracy.py, so the benchmark's
# figure and the test's threshold talk about the same images.
ACCURACY_SEED = 5
ACCURACY_COUNT = 50


def load_client():
    spec = importlib.util.spec_from_file_location("ocr_client", ROOT / "examples" / "ocr" / "client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_images(folder):
    folder = Path(folder)
    manifest = {}
    sets = dict(TIMED_SETS, accuracy=(ocr_images.sample_set, ACCURACY_SEED, ACCURACY_COUNT))
    for name, (render, seed, count) in sets.items():
        written = ocr_images.write_set(render(count, seed), folder / name)
        manifest[name] = [{"file": str(path), "name": image.name, "lines": image.lines}
                          for path, image in written.items()]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def read_manifest(folder, name):
    """[(path, TextImage)] of one set; the TextImage carries no bytes."""
    entries = json.loads((Path(folder) / "manifest.json").read_text())[name]
    return [(Path(e["file"]), ocr_images.TextImage(e["name"], b"", e["lines"])) for e in entries]


def latency_summary(seconds):
    milliseconds = np.array(seconds) * 1000.0
    return {
        "count": len(seconds),
        "throughput": len(seconds) / float(np.sum(seconds)),
        "mean_ms": float(np.mean(milliseconds)),
        "p50_ms": float(np.percentile(milliseconds, 50)),
        "p99_ms": float(np.percentile(milliseconds, 99)),
    }


def accuracy_summary(entries, recognised):
    images = [image for _, image in entries]
    return {
        "images": len(images),
        "words": sum(len(image.words) for image in images),
        "word_accuracy": ocr_images.word_accuracy(images, recognised),
        "word_accuracy_with_spaces": ocr_images.word_accuracy(images, recognised, allow_joined=False),
    }


def time_set(readers, images, rounds):
    """{mode: latency summary} over `rounds` passes, after one warm-up pass."""
    for read in readers.values():  # warm-up: first requests pay for allocations
        for data in images:
            read(data)
    latencies = {mode: [] for mode in readers}
    for round_index in range(rounds):
        # Alternate which mode goes first, so neither always follows the other.
        order = list(readers) if round_index % 2 == 0 else list(reversed(readers))
        for data in images:
            for mode in order:
                start = time.perf_counter()
                readers[mode](data)
                latencies[mode].append(time.perf_counter() - start)
    return {mode: latency_summary(values) for mode, values in latencies.items()}


def time_clients(url, folder, rounds, output):
    client = load_client().OcrClient(url, "http")
    readers = {"two-trips": client.read_two_trips, "ensemble": client.read_ensemble}
    results = {"rounds": rounds, "protocol": "http", "concurrency": 1, "timed_sets": {}, "accuracy": {}}
    for name in TIMED_SETS:
        images = [path.read_bytes() for path, _ in read_manifest(folder, name)]
        results["timed_sets"][name] = {"images": len(images), **time_set(readers, images, rounds)}
    accuracy_set = read_manifest(folder, "accuracy")
    for mode, read in readers.items():
        recognised = [read(path.read_bytes()) for path, _ in accuracy_set]
        results["accuracy"][mode] = accuracy_summary(accuracy_set, recognised)
    client.close()
    Path(output).write_text(json.dumps(results, indent=2))


def score_inprocess(folder, report_path, output):
    report = json.loads(Path(report_path).read_text())
    texts_by_file = {item["file"]: item["texts"] for item in report["images"]}
    accuracy_set = read_manifest(folder, "accuracy")
    recognised = [texts_by_file[str(path)] for path, _ in accuracy_set]
    Path(output).write_text(json.dumps(accuracy_summary(accuracy_set, recognised), indent=2))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    images = commands.add_parser("images")
    images.add_argument("folder")
    clients = commands.add_parser("clients")
    clients.add_argument("--url", required=True)
    clients.add_argument("--images", required=True)
    clients.add_argument("--rounds", type=int, default=5)
    clients.add_argument("--output", required=True)
    score = commands.add_parser("score")
    score.add_argument("--images", required=True)
    score.add_argument("--inprocess", required=True)
    score.add_argument("--output", required=True)
    args = parser.parse_args()
    if args.command == "images":
        write_images(args.folder)
    elif args.command == "clients":
        time_clients(args.url, args.images, args.rounds, args.output)
    else:
        score_inprocess(args.images, args.inprocess, args.output)


if __name__ == "__main__":
    main()
