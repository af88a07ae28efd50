"""The report's client flow over gRPC: the report's `text_detection` and
`text_recognition` configs (stand-in ONNX models with the report's tensor
names and shapes), called with tritonclient.grpc the way the report calls
tritonclient.http. Answers must match onnxruntime run in-process on the same
file, and match what HTTP answers for the same input bit for bit."""

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import grpc_raw
from test_report_client import (GEOMETRY, SCORES, preprocessed_image, recognition_postprocessing,
                                reference)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def report_client(server):
    # The report would use url="localhost:8001" for gRPC.
    client = grpcclient.InferenceServerClient(url=f"127.0.0.1:{server.grpc_port}")
    yield client
    client.close()


@pytest.mark.parametrize("shape", [[1, 64, 96, 3], [2, 32, 32, 3], [1, 320, 320, 3]])
def test_text_detection_over_grpc(report_client, test_repo, shape):
    preprocessed = preprocessed_image(shape, seed=sum(shape))
    detection_input = grpcclient.InferInput("input_images:0", preprocessed.shape, datatype="FP32")
    detection_input.set_data_from_numpy(preprocessed)
    detection_response = report_client.infer(model_name="text_detection", inputs=[detection_input])
    scores = detection_response.as_numpy(SCORES)
    geometry = detection_response.as_numpy(GEOMETRY)

    expected = reference(test_repo, "text_detection", {"input_images:0": preprocessed})
    n, h, w, _ = shape
    assert scores.shape == (n, h // 4, w // 4, 1)
    assert geometry.shape == (n, h // 4, w // 4, 5)
    np.testing.assert_allclose(scores, expected[SCORES], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(geometry, expected[GEOMETRY], rtol=1e-5, atol=1e-6)


def test_text_detection_grpc_and_http_give_the_same_bits(report_client, client):
    preprocessed = preprocessed_image([1, 32, 48, 3], seed=3)
    grpc_input = grpcclient.InferInput("input_images:0", preprocessed.shape, datatype="FP32")
    grpc_input.set_data_from_numpy(preprocessed)
    grpc_answer = report_client.infer(model_name="text_detection", inputs=[grpc_input])
    http_input = httpclient.InferInput("input_images:0", preprocessed.shape, datatype="FP32")
    http_input.set_data_from_numpy(preprocessed, binary_data=True)
    http_answer = client.infer(model_name="text_detection", inputs=[http_input])
    for name in (SCORES, GEOMETRY):
        np.testing.assert_array_equal(grpc_answer.as_numpy(name), http_answer.as_numpy(name))


@pytest.mark.parametrize("typed", [False, True], ids=["raw", "typed"])
def test_text_recognition_over_grpc(report_client, server, test_repo, typed):
    rng = np.random.default_rng(5)
    cropped_images = rng.uniform(-1, 1, size=(1, 1, 32, 100)).astype(np.float32)
    if typed:
        message = grpc_raw.request("text_recognition",
                                   [grpc_raw.typed_input("input.1", "FP32", cropped_images)],
                                   outputs=["308"])
        with grpc_raw.stub(server) as service:
            recognition_response = grpcclient.InferResult(service.ModelInfer(message, timeout=30))
    else:
        recognition_input = grpcclient.InferInput("input.1", cropped_images.shape, datatype="FP32")
        recognition_input.set_data_from_numpy(cropped_images)
        recognition_response = report_client.infer(
            model_name="text_recognition", inputs=[recognition_input],
            outputs=[grpcclient.InferRequestedOutput("308")])
    detection_308 = recognition_response.as_numpy("308")
    final_text = recognition_postprocessing(detection_308)

    expected = reference(test_repo, "text_recognition", {"input.1": cropped_images})["308"]
    assert detection_308.shape == (1, 26, 37)
    np.testing.assert_allclose(detection_308, expected, rtol=1e-5, atol=1e-6)
    assert final_text == recognition_postprocessing(expected)
    assert final_text, "the stand-in recognizer should decode to some text"


def test_report_pipeline_on_one_stream(server, test_repo):
    """Detection then recognition for a few images, all on one stream, the
    way a streaming OCR client would pipeline them."""
    images = [preprocessed_image([1, 32, 32, 3], seed=s) for s in range(4)]
    crops = [np.random.default_rng(s).uniform(-1, 1, (1, 1, 32, 100)).astype(np.float32)
             for s in range(4)]
    answers, errors = {}, []

    def callback(result, error):
        if error is not None:
            errors.append(error)
        else:
            answers[result.get_response().id] = result

    triton = grpcclient.InferenceServerClient(url=server.grpc_url)
    try:
        triton.start_stream(callback=callback)
        for i, (image, crop) in enumerate(zip(images, crops)):
            detection_input = grpcclient.InferInput("input_images:0", image.shape, "FP32")
            detection_input.set_data_from_numpy(image)
            triton.async_stream_infer("text_detection", [detection_input], request_id=f"det-{i}")
            recognition_input = grpcclient.InferInput("input.1", crop.shape, "FP32")
            recognition_input.set_data_from_numpy(crop)
            triton.async_stream_infer("text_recognition", [recognition_input], request_id=f"rec-{i}")
        triton.stop_stream()
    finally:
        triton.close()
    assert errors == []
    assert len(answers) == 8
    for i, (image, crop) in enumerate(zip(images, crops)):
        expected = reference(test_repo, "text_detection", {"input_images:0": image})
        np.testing.assert_allclose(answers[f"det-{i}"].as_numpy(SCORES), expected[SCORES],
                                   rtol=1e-5, atol=1e-6)
        expected_308 = reference(test_repo, "text_recognition", {"input.1": crop})["308"]
        np.testing.assert_allclose(answers[f"rec-{i}"].as_numpy("308"), expected_308,
                                   rtol=1e-5, atol=1e-6)


def test_text_recognition_rejects_other_shapes(report_client, server):
    wrong = np.zeros((1, 1, 32, 128), dtype=np.float32)
    recognition_input = grpcclient.InferInput("input.1", wrong.shape, datatype="FP32")
    recognition_input.set_data_from_numpy(wrong)
    with pytest.raises(InferenceServerException) as raised:
        report_client.infer(model_name="text_recognition", inputs=[recognition_input])
    grpc_raw.assert_code_and_words(raised.value, grpc.StatusCode.INVALID_ARGUMENT,
                                   ["text_recognition", "input.1"])
    grpc_raw.assert_other_model_still_serves(server)
