"""examples/ocr_python: Part 5 and Part 6 of Triton's conceptual guide on the
real PP-OCRv4 models. The `ocr_python` ensemble (Python pre- and
post-processing around the ONNX models) and the `ocr_bls` model (the same
steps as BLS calls, recognition only when boxes were found) must read
exactly what the C++ `ocr` ensemble reads, image for image, on the 50
images of the accuracy set."""

import cv2
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

import ocr_images
from ocr_support import OCR_MODELS, OCR_REPO, require_ocr_models, wait_until_ready
from server_process import REPO_ROOT, InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(900)

PYTHON_REPO = REPO_ROOT / "examples" / "ocr_python"
PYTHON_MODELS = ["ocr_py_preprocess", "ocr_py_crop", "ocr_py_decode", "ocr_python", "ocr_bls"]
SEED = 5
IMAGE_COUNT = 50


@pytest.fixture(scope="module")
def server(inferd_binary, tmp_path_factory):
    require_ocr_models()
    instance = start_or_fail(InferdServer([OCR_REPO, PYTHON_REPO], tmp_path_factory.mktemp("ocr_python") / "inferd.log",
                                          binary=inferd_binary))
    try:
        not_ready = wait_until_ready(instance, OCR_MODELS + PYTHON_MODELS)
        assert not not_ready, f"not ready: {not_ready}\n{instance.log_tail()}"
        yield instance
    finally:
        instance.stop()


def read(client, model, image_bytes, module=httpclient):
    tensor = module.InferInput("image", [1], "BYTES")
    tensor.set_data_from_numpy(np.array([image_bytes], dtype=np.object_))
    result = client.infer(model, [tensor])
    return [text.decode() for text in result.as_numpy("text")], result.as_numpy("boxes")


def test_python_pipelines_read_what_the_cpp_pipeline_reads(server, tmp_path):
    images = ocr_images.sample_set(IMAGE_COUNT, SEED)
    paths = ocr_images.write_set(images, tmp_path)
    client = httpclient.InferenceServerClient(url=server.url, network_timeout=120)
    differences = []
    for path in paths:
        data = path.read_bytes()
        cpp_text, cpp_boxes = read(client, "ocr", data)
        for model in ("ocr_python", "ocr_bls"):
            text, boxes = read(client, model, data)
            if text != cpp_text or not np.array_equal(boxes, cpp_boxes):
                differences.append(f"{path.name}: ocr read {cpp_text}, {model} read {text}")
    assert not differences, "\n".join(differences)


def test_bls_skips_recognition_when_there_is_no_text(server):
    client = httpclient.InferenceServerClient(url=server.url, network_timeout=120)
    blank = cv2.imencode(".png", np.full((64, 200, 3), 255, dtype=np.uint8))[1].tobytes()

    def recognitions():
        return client.get_inference_statistics("text_recognition")["model_stats"][0]["inference_count"]

    before = recognitions()
    text, boxes = read(client, "ocr_bls", blank)
    assert text == [] and boxes.shape == (0, 4, 2)
    assert recognitions() == before, "recognition ran although detection found nothing"


def test_python_pipeline_over_grpc(server, tmp_path):
    image = ocr_images.sample_set(1, SEED)[0]
    path = next(iter(ocr_images.write_set([image], tmp_path)))
    client = grpcclient.InferenceServerClient(url=server.grpc_url)
    texts, _ = read(client, "ocr_python", path.read_bytes(), grpcclient)
    assert ocr_images.word_matches(image.words, texts) == len(image.words)
