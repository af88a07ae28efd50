"""What the OCR tests share: where examples/ocr lives, whether set-up has put
its models in place (the tests skip only when it has not), the example client
loaded as a module, servers serving examples/ocr (optionally a copy with
changed parameters), and the in-process reference pipeline
(bench/inprocess_ocr) run over image files."""

import importlib.util
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import tritonclient.http as httpclient

from server_process import REPO_ROOT, InferdServer, start_or_fail

OCR_REPO = REPO_ROOT / "examples" / "ocr"
CLIENT_PATH = OCR_REPO / "client.py"
OCR_MODELS = ["ocr_preprocess", "text_detection", "ocr_crop", "text_recognition", "ocr_decode", "ocr"]
MODEL_FILES = ["text_detection/1/model.onnx", "text_recognition/1/model.onnx",
               "ocr_decode/1/ppocr_keys_v1.txt"]
READY_TIMEOUT_S = 60


def missing_ocr_files():
    missing = [f"{model}/config.pbtxt" for model in OCR_MODELS
               if not (OCR_REPO / model / "config.pbtxt").is_file()]
    missing += [name for name in MODEL_FILES if not (OCR_REPO / name).is_file()]
    return missing


def require_ocr_models():
    """Skips the calling test or fixture when examples/ocr is incomplete (the
    ONNX files and dictionary come from `make setup`)."""
    missing = missing_ocr_files()
    if missing:
        pytest.skip(f"examples/ocr is incomplete (missing {', '.join(missing)}); run `make setup`")


_client_module = None


def client_module():
    """examples/ocr/client.py, imported once (it is a script, not a package)."""
    global _client_module
    if _client_module is None:
        spec = importlib.util.spec_from_file_location("ocr_example_client", CLIENT_PATH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _client_module = module
    return _client_module


def wait_until_ready(server, models, timeout=READY_TIMEOUT_S):
    """Waits until every model in `models` is ready; returns the ones that
    are not when the time is up (their reasons are in the repository index)."""
    client = httpclient.InferenceServerClient(url=server.url)
    try:
        deadline = time.monotonic() + timeout
        pending = list(models)
        while pending and time.monotonic() < deadline:
            pending = [model for model in pending if not client.is_model_ready(model)]
            if pending:
                time.sleep(0.2)
        return pending
    finally:
        client.close()


def start_ocr_server(binary, log_path, repository=OCR_REPO, extra_args=()):
    """A started server serving `repository`, its OCR models ready. A model
    that does not load fails the caller with the server's reason."""
    server = start_or_fail(InferdServer([repository], log_path, extra_args, binary))
    not_ready = wait_until_ready(server, OCR_MODELS)
    if not_ready:
        index = httpclient.InferenceServerClient(url=server.url).get_model_repository_index()
        server.stop()
        pytest.fail(f"models {not_ready} of {repository} are not ready: {index}\n{server.log_tail()}")
    return server


def copy_with_parameter(destination, model, key, value):
    """A copy of examples/ocr (model files dereferenced) in which `model`'s
    config.pbtxt has parameters[key] = value."""
    shutil.copytree(OCR_REPO, destination, symlinks=False,
                    ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    config_path = Path(destination) / model / "config.pbtxt"
    config = config_path.read_text()
    existing = re.compile(r'(key:\s*"%s"\s*value:\s*\{\s*string_value:\s*")[^"]*(")' % re.escape(key))
    if existing.search(config):
        config = existing.sub(lambda m: m.group(1) + str(value) + m.group(2), config)
    else:
        config += f'\nparameters {{ key: "{key}" value: {{ string_value: "{value}" }} }}\n'
    config_path.write_text(config)
    return Path(destination)


def find_inprocess_ocr():
    """The in-process reference pipeline of the build under test: beside
    $INFERD_BINARY's build, else the newest build*/bench/inprocess_ocr."""
    from server_process import find_binary
    binary = find_binary()
    for build_dir in (binary.parent, binary.parent.parent.parent):
        candidate = build_dir / "bench" / "inprocess_ocr"
        if candidate.is_file():
            return candidate
    candidates = [p for p in REPO_ROOT.glob("build*/bench/inprocess_ocr") if p.is_file()]
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


def run_inprocess_ocr(binary, image_paths, extra_args=(), timeout=600):
    """Runs the reference over the files and returns its JSON report."""
    command = [str(binary), "--models", str(OCR_REPO), *extra_args, *map(str, image_paths)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL, cwd=str(REPO_ROOT))
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited with {result.returncode}:\n"
                    f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return json.loads(result.stdout)
