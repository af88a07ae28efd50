"""Bad images sent to the `ocr` ensemble and to its first step
`ocr_preprocess`: bytes that are not an image, a truncated JPEG, an empty
tensor, an image above the pixel limit. Each gets INVALID_ARGUMENT (HTTP 400)
with a message that names the tensor, over HTTP and gRPC, and the server
keeps serving: every test ends by reading a real image. An image with no
text is not an error: the ensemble answers empty tensors."""

import functools
import io

import grpc
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from PIL import Image
from tritonclient.utils import InferenceServerException

import ocr_images
from ocr_support import client_module, copy_with_parameter, require_ocr_models, start_ocr_server

pytestmark = pytest.mark.timeout(180)

MODELS = ["ocr", "ocr_preprocess"]
PROTOCOLS = ["http", "grpc"]
INVALID_ARGUMENT = {"http": "400", "grpc": str(grpc.StatusCode.INVALID_ARGUMENT)}
DEFAULT_MAX_PIXELS = 40_000_000
SMALL_MAX_PIXELS = 500_000


def _word_image(format_="PNG"):
    return ocr_images.render_text(["harbor"], ocr_images.available_fonts()[0], 40,
                                  image_format=format_)


def _bad_images():
    jpeg = _word_image("JPEG")
    png = _word_image("PNG")
    return {
        "text_not_an_image": b"Hello, this is a plain text file and not an image at all.\n" * 4,
        "truncated_jpeg": jpeg[: len(jpeg) // 2],
        "jpeg_header_only": jpeg[:20],
        "truncated_png": png[: len(png) // 2],
        "empty_bytes": b"",
    }


BAD_IMAGES = _bad_images()


@pytest.fixture(scope="module")
def ocr_server(inferd_binary, tmp_path_factory):
    require_ocr_models()
    server = start_ocr_server(inferd_binary, tmp_path_factory.mktemp("ocr_bad_input") / "inferd.log")
    yield server
    server.stop()


def _module(protocol):
    return grpcclient if protocol == "grpc" else httpclient


def _url(server, protocol):
    return server.grpc_url if protocol == "grpc" else server.url


def _send(server, protocol, model, image_array, outputs=None, datatypes=None):
    """One request with `image_array` (numpy object array) as `image`;
    returns {output: array}. With `datatypes` (a dict), also fills it with
    {output: the datatype the server declared}."""
    module = _module(protocol)
    client = module.InferenceServerClient(url=_url(server, protocol))
    try:
        tensor = module.InferInput("image", list(image_array.shape), "BYTES")
        tensor.set_data_from_numpy(image_array)
        requested = [module.InferRequestedOutput(name) for name in outputs] if outputs else None
        result = client.infer(model, [tensor], outputs=requested)
        for name in outputs or []:
            output = result.get_output(name)
            if datatypes is not None:
                datatypes[name] = output["datatype"] if protocol == "http" else output.datatype
        return {name: result.as_numpy(name) for name in (outputs or [])}
    finally:
        client.close()


def _assert_invalid(server, protocol, model, image_array, *words):
    with pytest.raises(InferenceServerException) as raised:
        _send(server, protocol, model, image_array)
    error = raised.value
    assert error.status() == INVALID_ARGUMENT[protocol], f"{error.status()}: {error.message()}"
    message = error.message() or ""
    for word in words:
        assert word in message, f"'{word}' not in: {message}"
    return message


def _assert_still_serves(server, protocol):
    """The server still answers and still reads the word in a good image."""
    client = _module(protocol).InferenceServerClient(url=_url(server, protocol))
    try:
        assert client.is_server_live() and client.is_model_ready("ocr")
    finally:
        client.close()
    ocr = client_module().OcrClient(_url(server, protocol), protocol)
    try:
        assert ocr.read_ensemble(_word_image()) == ["harbor"]
    finally:
        ocr.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("case", sorted(BAD_IMAGES))
def test_undecodable_image_is_invalid_argument(ocr_server, case, model, protocol):
    image = np.array([BAD_IMAGES[case]], dtype=np.object_)
    # The step that fails is named whether the client asked the step or the
    # ensemble; the tensor too.
    _assert_invalid(ocr_server, protocol, model, image, "ocr_preprocess", "image")
    _assert_still_serves(ocr_server, protocol)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("model", MODELS)
def test_tensor_without_elements_is_invalid_argument(ocr_server, model, protocol):
    # dims [1]: one encoded image per request, so zero elements is a shape error.
    empty = np.zeros([0], dtype=np.object_)
    _assert_invalid(ocr_server, protocol, model, empty, "image")
    _assert_still_serves(ocr_server, protocol)


@functools.lru_cache(maxsize=None)
def _solid_png(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 240)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("model", MODELS)
def test_image_above_the_default_pixel_limit_is_refused(ocr_server, model):
    # 6400 x 6400 = 40,960,000 pixels, just above the default 40,000,000; a
    # solid colour compresses to a small file.
    image = np.array([_solid_png(6400, 6400)], dtype=np.object_)
    message = _assert_invalid(ocr_server, "http", model, image, "ocr_preprocess", "image")
    assert "40000000" in message or "40,000,000" in message, message
    _assert_still_serves(ocr_server, "http")


@pytest.fixture(scope="module")
def small_limit_server(inferd_binary, tmp_path_factory):
    require_ocr_models()
    folder = tmp_path_factory.mktemp("ocr_small_limit")
    repository = copy_with_parameter(folder / "repository", "ocr_preprocess", "max_pixels",
                                     SMALL_MAX_PIXELS)
    server = start_ocr_server(inferd_binary, folder / "inferd.log", repository)
    yield server
    server.stop()


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("model", MODELS)
def test_configured_pixel_limit_refuses_larger_images(small_limit_server, model, protocol):
    too_large = np.array([_solid_png(1000, 600)], dtype=np.object_)  # 600,000 pixels
    message = _assert_invalid(small_limit_server, protocol, model, too_large, "ocr_preprocess", "image")
    assert "500000" in message or "500,000" in message, message
    # Below the limit the same server reads images as usual.
    _assert_still_serves(small_limit_server, protocol)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_image_without_text_gives_empty_outputs(ocr_server, protocol):
    blank = np.array([ocr_images.render_blank()], dtype=np.object_)
    datatypes = {}
    outputs = _send(ocr_server, protocol, "ocr", blank, ["text", "boxes", "scores"], datatypes)
    assert outputs["text"].shape == (0,)
    assert outputs["boxes"].shape == (0, 4, 2)
    assert outputs["scores"].shape == (0,)
    # The declared types: the stock HTTP client turns any empty binary
    # output into a float64 array, so the numpy dtype says nothing.
    assert datatypes == {"text": "BYTES", "boxes": "FP32", "scores": "FP32"}
    _assert_still_serves(ocr_server, protocol)


def test_image_without_text_reads_as_nothing_in_two_trips(ocr_server):
    client = client_module().OcrClient(ocr_server.url, "http")
    try:
        assert client.read_two_trips(ocr_images.render_blank()) == []
    finally:
        client.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_preprocess_outputs_for_a_good_image(ocr_server, protocol):
    """The first step on its own: a 2x-wider-than-tall image gives a detector
    input whose sides are multiples of 32, and the decoded BGR image."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (255, 0, 0)).save(buffer, "PNG")  # pure red
    outputs = _send(ocr_server, protocol, "ocr_preprocess", np.array([buffer.getvalue()], dtype=np.object_),
                    ["detection_input", "original_image"])
    detection_input, original = outputs["detection_input"], outputs["original_image"]
    assert detection_input.dtype == np.float32 and detection_input.shape == (1, 3, 96, 192)
    assert original.dtype == np.uint8 and original.shape == (100, 200, 3)
    assert (original[..., 2] == 255).all() and (original[..., :2] == 0).all()  # BGR
    # Channel 0 is blue (0): (0 - 0.485) / 0.229; channel 2 is red (1): (1 - 0.406) / 0.225.
    assert np.allclose(detection_input[0, 0], -0.485 / 0.229, atol=1e-4)
    assert np.allclose(detection_input[0, 2], (1 - 0.406) / 0.225, atol=1e-4)
