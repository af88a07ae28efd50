"""The client code from the "Investigative Report on NVIDIA Triton", kept as
the report wrote it, against the report's two configs (served with small
stand-in ONNX models that have exactly the report's tensor names and
shapes). The server's answers must match onnxruntime run in-process on the
same ONNX file, and JSON mode must give the same numbers as binary mode."""

import numpy as np
import onnxruntime
import pytest
import tritonclient.http as httpclient

pytestmark = pytest.mark.timeout(60)

SCORES = "feature_fusion/Conv_7/Sigmoid:0"
GEOMETRY = "feature_fusion/concat_3:0"
# 0-9, a-z: the 36 symbols of the report's recognizer; index 0 is the CTC blank.
ALPHABET = "-0123456789abcdefghijklmnopqrstuvwxyz"


def reference(test_repo, model, feeds):
    session = onnxruntime.InferenceSession(str(test_repo / model / "1" / "model.onnx"),
                                           providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, feeds)))


def preprocessed_image(shape, seed):
    """Stands in for detection_preprocessing(cv2.imread(...)): an NHWC float
    image with mean-subtracted pixel values."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(0, 255, size=shape) - 120.0).astype(np.float32)


def recognition_postprocessing(probabilities):
    """Greedy CTC decode, as the report's client does: best class per step,
    collapse repeats, drop blanks."""
    best = probabilities[0].argmax(axis=-1)
    text, previous = [], 0
    for index in best:
        if index != previous and index != 0:
            text.append(ALPHABET[index])
        previous = index
    return "".join(text)


@pytest.fixture
def report_client(server):
    # The report uses url="localhost:8000"; 127.0.0.1 because localhost may
    # resolve to ::1 first and the test server listens on IPv4 only.
    client = httpclient.InferenceServerClient(url=f"127.0.0.1:{server.http_port}")
    yield client
    client.close()


@pytest.mark.parametrize("shape", [[1, 64, 96, 3], [2, 32, 32, 3], [1, 320, 320, 3]])
def test_text_detection_as_in_the_report(report_client, test_repo, shape):
    preprocessed = preprocessed_image(shape, seed=sum(shape))

    detection_input = httpclient.InferInput("input_images:0", preprocessed.shape, datatype="FP32")
    detection_input.set_data_from_numpy(preprocessed, binary_data=True)
    detection_response = report_client.infer(model_name="text_detection", inputs=[detection_input])
    scores = detection_response.as_numpy(SCORES)
    geometry = detection_response.as_numpy(GEOMETRY)

    expected = reference(test_repo, "text_detection", {"input_images:0": preprocessed})
    n, h, w, _ = shape
    assert scores.shape == (n, h // 4, w // 4, 1)
    assert geometry.shape == (n, h // 4, w // 4, 5)
    np.testing.assert_allclose(scores, expected[SCORES], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(geometry, expected[GEOMETRY], rtol=1e-5, atol=1e-6)


def test_text_detection_json_mode_gives_the_same_numbers(report_client):
    preprocessed = preprocessed_image([1, 32, 48, 3], seed=3)
    answers = {}
    for binary in (True, False):
        detection_input = httpclient.InferInput("input_images:0", preprocessed.shape, datatype="FP32")
        detection_input.set_data_from_numpy(preprocessed, binary_data=binary)
        outputs = [httpclient.InferRequestedOutput(SCORES, binary_data=binary),
                   httpclient.InferRequestedOutput(GEOMETRY, binary_data=binary)]
        response = report_client.infer(model_name="text_detection", inputs=[detection_input],
                                       outputs=outputs)
        answers[binary] = (response.as_numpy(SCORES), response.as_numpy(GEOMETRY))
    for binary_array, json_array in zip(answers[True], answers[False]):
        assert json_array.dtype == np.float32
        # JSON numbers must carry every bit of a float32.
        np.testing.assert_array_equal(json_array, binary_array)


@pytest.mark.parametrize("binary", [True, False])
def test_text_recognition_as_in_the_report(report_client, test_repo, binary):
    rng = np.random.default_rng(5)
    cropped_images = rng.uniform(-1, 1, size=(1, 1, 32, 100)).astype(np.float32)

    recognition_input = httpclient.InferInput("input.1", cropped_images.shape, datatype="FP32")
    recognition_input.set_data_from_numpy(cropped_images, binary_data=binary)
    recognition_response = report_client.infer(
        model_name="text_recognition", inputs=[recognition_input],
        outputs=[httpclient.InferRequestedOutput("308", binary_data=binary)])
    detection_308 = recognition_response.as_numpy("308")
    final_text = recognition_postprocessing(detection_308)

    expected = reference(test_repo, "text_recognition", {"input.1": cropped_images})["308"]
    assert detection_308.shape == (1, 26, 37)
    np.testing.assert_allclose(detection_308, expected, rtol=1e-5, atol=1e-6)
    assert final_text == recognition_postprocessing(expected)
    assert final_text, "the stand-in recognizer should decode to some text"


def test_text_recognition_rejects_other_shapes(report_client):
    from tritonclient.utils import InferenceServerException
    wrong = np.zeros((1, 1, 32, 128), dtype=np.float32)
    recognition_input = httpclient.InferInput("input.1", wrong.shape, datatype="FP32")
    recognition_input.set_data_from_numpy(wrong, binary_data=True)
    with pytest.raises(InferenceServerException) as raised:
        report_client.infer(model_name="text_recognition", inputs=[recognition_input])
    assert "input.1" in str(raised.value)
