"""Word accuracy of the OCR pipeline over a seeded set of 50 rendered images
(ocr_images.sample_set: up to 13 DejaVu, Liberation and FreeFont faces,
22-56 px, dark on light and light on dark, +-3 degrees, one or two lines,
PNG and JPEG), read three ways: the `ocr` ensemble, the two-trips client,
and the in-process reference (bench/inprocess_ocr: the same C++ operations
and ONNX Runtime, no server).
Each writes a JSON summary (per image: words drawn, texts read; accuracy
with and without credit for words whose space was dropped, see
ocr_images.word_matches) under the test's tmp dir.

The threshold: on this set (seed 5, 115 words) all three read every word
(1.000; 0.661 counting only words read with their spaces). Over seeds 1-4
two trips read 0.969-1.000: the misses are letters this Chinese-and-English
recogniser confuses on some fonts ("Island" as "lsland", "Orange" as
"orange"). 0.9 leaves room for a few more such misses, while a broken step
(normalisation, crop geometry, CTC collapsing or dictionary offset)
reads next to nothing and fails.
"""

import json

import pytest

import ocr_images
from ocr_support import (client_module, find_inprocess_ocr, require_ocr_models, run_inprocess_ocr,
                         start_ocr_server)

pytestmark = pytest.mark.timeout(600)

SEED = 5
IMAGE_COUNT = 50
MIN_WORD_ACCURACY = 0.9
# The ensemble and the reference run the same code on the same models, so
# they must read (nearly) the same strings.
MAX_ACCURACY_GAP = 0.02


@pytest.fixture(scope="module")
def image_set(tmp_path_factory):
    images = ocr_images.sample_set(IMAGE_COUNT, SEED)
    paths = ocr_images.write_set(images, tmp_path_factory.mktemp("ocr_accuracy_images"))
    return list(paths.items())


@pytest.fixture(scope="module")
def ocr_server(inferd_binary, tmp_path_factory):
    require_ocr_models()
    server = start_ocr_server(inferd_binary, tmp_path_factory.mktemp("ocr_accuracy") / "inferd.log")
    yield server
    server.stop()


def _summarise(path, label, images, recognised):
    accuracy = ocr_images.word_accuracy(images, recognised)
    summary = {
        "pipeline": label,
        "images": len(images),
        "words": sum(len(image.words) for image in images),
        "word_accuracy": accuracy,
        "word_accuracy_with_spaces": ocr_images.word_accuracy(images, recognised, allow_joined=False),
        "per_image": [
            {"name": image.name, "drawn": image.lines, "read": texts,
             "words_read": ocr_images.word_matches(image.words, texts)}
            for image, texts in zip(images, recognised)
        ],
    }
    path.write_text(json.dumps(summary, indent=2))
    return summary


def _misread(summary):
    return "\n".join(f"{item['name']}: drew {item['drawn']}, read {item['read']}"
                     for item in summary["per_image"] if item["words_read"] < len(" ".join(item["drawn"]).split()))


_accuracies = {}


@pytest.mark.parametrize("mode", ["ensemble", "two-trips"])
def test_server_word_accuracy(ocr_server, image_set, tmp_path, mode):
    client = client_module().OcrClient(ocr_server.url, "http")
    try:
        read = client.read_ensemble if mode == "ensemble" else client.read_two_trips
        recognised = [read(path.read_bytes()) for path, _ in image_set]
    finally:
        client.close()
    images = [image for _, image in image_set]
    summary = _summarise(tmp_path / f"ocr_accuracy_{mode}.json", mode, images, recognised)
    _accuracies[mode] = summary["word_accuracy"]
    assert summary["word_accuracy"] >= MIN_WORD_ACCURACY, (
        f"{mode}: word accuracy {summary['word_accuracy']:.3f} < {MIN_WORD_ACCURACY}; misread:\n"
        + _misread(summary))


def test_inprocess_reference_word_accuracy(image_set, tmp_path):
    require_ocr_models()
    binary = find_inprocess_ocr()
    if binary is None:
        pytest.fail("bench/inprocess_ocr is not built (configure with -DINFERD_BUILD_BENCH=ON)")
    report = run_inprocess_ocr(binary, [path for path, _ in image_set])
    texts_by_file = {item["file"]: item["texts"] for item in report["images"]}
    recognised = [texts_by_file[str(path)] for path, _ in image_set]
    images = [image for _, image in image_set]
    summary = _summarise(tmp_path / "ocr_accuracy_inprocess.json", "in-process", images, recognised)
    assert summary["word_accuracy"] >= MIN_WORD_ACCURACY, (
        f"in-process: word accuracy {summary['word_accuracy']:.3f} < {MIN_WORD_ACCURACY}; misread:\n"
        + _misread(summary))
    if "ensemble" in _accuracies:
        gap = abs(_accuracies["ensemble"] - summary["word_accuracy"])
        assert gap <= MAX_ACCURACY_GAP, (
            f"the ensemble read {_accuracies['ensemble']:.3f} of the words, the in-process "
            f"reference {summary['word_accuracy']:.3f}: the same code should read the same words")
