"""examples/ocr/client.py against a server serving examples/ocr: both modes
(two trips and the `ocr` ensemble), over HTTP and gRPC, on rendered images
whose words are known. Also: the command line prints one region per line,
and two-trips makes exactly two round trips while the ensemble makes one
(the server's statistics count them)."""

import subprocess
import sys

import pytest
import tritonclient.http as httpclient

import ocr_images
from ocr_support import CLIENT_PATH, client_module, require_ocr_models, start_ocr_server

pytestmark = pytest.mark.timeout(300)

MODES = ["two-trips", "ensemble"]
PROTOCOLS = ["http", "grpc"]


def _font(name):
    """The named font when installed, else the first available one."""
    fonts = ocr_images.available_fonts()
    return next((font for font in fonts if font.name == name), fonts[0])


def _cases():
    """name -> (encoded image, lines drawn). Fixed, readable renderings:
    each font family, light on dark and dark on light, JPEG and PNG, the
    largest rotation, one and two lines."""
    render = ocr_images.render_text
    return {
        "one_word": (render(["harbor"], _font("DejaVuSans.ttf"), 40), ["harbor"]),
        "serif_light_on_dark_jpeg": (
            render(["Silver Rocket Museum"], _font("DejaVuSerif-Bold.ttf"), 36,
                   text_colour=(240, 240, 225), background=(25, 35, 60), angle=2.0,
                   image_format="JPEG"),
            ["Silver Rocket Museum"]),
        "mono_two_lines": (
            render(["quick brown", "field storm"], _font("DejaVuSansMono.ttf"), 34,
                   text_colour=(20, 60, 20), background=(235, 245, 230), angle=-2.5),
            ["quick brown", "field storm"]),
        "upper_rotated_3_degrees": (
            render(["COFFEE TICKET"], _font("LiberationSans-Bold.ttf"), 48,
                   text_colour=(170, 20, 20), background=(250, 230, 120), angle=3.0),
            ["COFFEE TICKET"]),
        "freefont_serif": (
            render(["garden window"], _font("FreeSerif.ttf"), 44, angle=-1.0,
                   image_format="JPEG"),
            ["garden window"]),
        "stop_sign": (ocr_images.render_stop_sign(), ["STOP"]),
    }


@pytest.fixture(scope="module")
def ocr_server(inferd_binary, tmp_path_factory):
    require_ocr_models()
    server = start_ocr_server(inferd_binary, tmp_path_factory.mktemp("ocr_client") / "inferd.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cases():
    return _cases()


def _url(server, protocol):
    return server.grpc_url if protocol == "grpc" else server.url


def _read(server, protocol, mode, data):
    client = client_module().OcrClient(_url(server, protocol), protocol)
    try:
        return client.read_ensemble(data) if mode == "ensemble" else client.read_two_trips(data)
    finally:
        client.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("mode", MODES)
def test_reads_every_word_of_clear_renderings(ocr_server, cases, mode, protocol):
    wrong = []
    for name, (data, lines) in cases.items():
        texts = _read(ocr_server, protocol, mode, data)
        words = [word for line in lines for word in line.split()]
        if ocr_images.word_matches(words, texts) != len(words):
            wrong.append(f"{name}: drew {lines}, read {texts}")
    assert not wrong, f"{mode} over {protocol} misread:\n" + "\n".join(wrong)


@pytest.mark.parametrize("mode", MODES)
def test_two_lines_come_back_in_reading_order(ocr_server, cases, mode):
    data, lines = cases["mono_two_lines"]
    texts = _read(ocr_server, "http", mode, data)
    # Spaces aside (the recogniser sometimes drops them), the first line's
    # letters come first.
    squeezed = "".join(texts).replace(" ", "")
    assert squeezed == "".join(lines).replace(" ", ""), texts


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("mode", MODES)
def test_command_line_prints_one_region_per_line(ocr_server, cases, tmp_path, mode, protocol):
    image = tmp_path / "stop.png"
    image.write_bytes(cases["stop_sign"][0])
    result = subprocess.run(
        [sys.executable, str(CLIENT_PATH), str(image), "--mode", mode, "--protocol", protocol,
         "--url", _url(ocr_server, protocol)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["STOP"], result.stdout + result.stderr


def test_command_line_reports_a_file_that_is_not_an_image(ocr_server, tmp_path):
    image = tmp_path / "notes.jpg"
    image.write_bytes(b"these are notes, not a JPEG")
    for mode in MODES:
        result = subprocess.run(
            [sys.executable, str(CLIENT_PATH), str(image), "--mode", mode, "--url", ocr_server.url],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert result.returncode == 1, result.stdout + result.stderr
        assert result.stderr.startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr, result.stderr


def _success_counts(server, models):
    client = httpclient.InferenceServerClient(url=server.url)
    try:
        counts = {}
        for model in models:
            stats = client.get_inference_statistics(model_name=model)
            counts[model] = sum(int(entry["inference_stats"]["success"]["count"])
                                for entry in stats["model_stats"] if entry["name"] == model)
        return counts
    finally:
        client.close()


def test_two_trips_makes_two_round_trips_and_the_ensemble_one(ocr_server, cases):
    models = ["ocr", "ocr_preprocess", "text_detection", "ocr_crop", "text_recognition", "ocr_decode"]
    data, _ = cases["one_word"]

    before = _success_counts(ocr_server, models)
    _read(ocr_server, "http", "two-trips", data)
    after = _success_counts(ocr_server, models)
    delta = {model: after[model] - before[model] for model in models}
    assert delta == {"ocr": 0, "ocr_preprocess": 0, "text_detection": 1, "ocr_crop": 0,
                     "text_recognition": 1, "ocr_decode": 0}

    before = after
    _read(ocr_server, "http", "ensemble", data)
    after = _success_counts(ocr_server, models)
    delta = {model: after[model] - before[model] for model in models}
    # One request from the client; inside the server each step runs once.
    assert delta == {model: 1 for model in models}
