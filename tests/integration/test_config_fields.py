"""Config fields inferd parses but does not implement yet.

A field whose absence changes what a model computes or answers (sequence
batching, decoupled responses, batch inputs, ...) must make its model
UNAVAILABLE, with a repository-index reason that names the field and says
"not supported yet", unless the server runs with
--allow-unsupported-config-fields=true (then the model is READY). A field
that only tunes speed or bookkeeping (warm-up, priorities, the response
cache, ...) leaves the model READY, with a warning in the log and a note in
the index row's reason.

Every model lives in one repository; the module starts two servers over it
(default flags, and --allow-unsupported-config-fields=true), nothing more.
All models are FP32 identities with max_batch_size 8 and dims [4], so a
READY model can be checked by one request.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

import http_raw
from models import onnx_builders as builders
from models.repositories import model_config, tensor_config, write_model
from server_process import InferdServer, start_or_fail

pytestmark = pytest.mark.timeout(120)

NOT_SUPPORTED = "not supported yet"
ALLOW_FLAG = "--allow-unsupported-config-fields"
PLAIN = "cf_plain"


def _ensemble(name, step_extra="", scheduling_extra=""):
    return f"""name: "{name}"
platform: "ensemble"
max_batch_size: 8
input [ {{ name: "IN" data_type: TYPE_FP32 dims: [ 4 ] }} ]
output [ {{ name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] }} ]
ensemble_scheduling {{
{scheduling_extra}  step [
    {{
      model_name: "{PLAIN}"
      model_version: -1
{step_extra}      input_map {{ key: "INPUT0" value: "IN" }}
      output_map {{ key: "OUTPUT0" value: "OUT" }}
    }}
  ]
}}
"""


def _identity_config(name, extra="", input_extra=""):
    return model_config(name, 8, [tensor_config("INPUT0", "TYPE_FP32", [4], input_extra)],
                        [tensor_config("OUTPUT0", "TYPE_FP32", [4])], extra)


# name -> (config text, words the reason must contain, whether the model
# serves plain requests once allowed). The words are the field's own
# proto names, so the reason really points at the line of config.pbtxt.
CHANGES_RESULTS = {
    "cf_sequence_batching": (
        _identity_config("cf_sequence_batching", "sequence_batching { }\n"),
        ["sequence_batching"], False),
    "cf_decoupled": (
        _identity_config("cf_decoupled", "model_transaction_policy { decoupled: true }\n"),
        ["decoupled"], False),
    "cf_batch_input": (
        _identity_config("cf_batch_input", """batch_input [
  {
    kind: BATCH_ELEMENT_COUNT
    target_name: "BATCH_COUNT"
    data_type: TYPE_FP32
    source_input: "INPUT0"
  }
]
"""), ["batch_input"], True),
    "cf_batch_output": (
        _identity_config("cf_batch_output", """batch_output [
  {
    target_name: "OUTPUT0"
    kind: BATCH_SCATTER_WITH_INPUT_SHAPE
    source_input: "INPUT0"
  }
]
"""), ["batch_output"], True),
    "cf_ragged": (
        _identity_config("cf_ragged", "dynamic_batching { }\n", "    allow_ragged_batch: true\n"),
        ["allow_ragged_batch"], True),
    "cf_cuda_graphs": (
        _identity_config("cf_cuda_graphs", "optimization { cuda { graphs: true } }\n"),
        ["cuda"], True),
    "cf_openvino": (
        _identity_config("cf_openvino", """optimization {
  execution_accelerators {
    cpu_execution_accelerator [ { name: "openvino" } ]
  }
}
"""), ["execution_accelerators"], True),
    "cf_model_operations": (
        _identity_config("cf_model_operations", 'model_operations { op_library_filename: [ "x.so" ] }\n'),
        ["model_operations"], True),
    "cf_repository_agents": (
        _identity_config("cf_repository_agents", 'model_repository_agents { agents [ { name: "checksum" } ] }\n'),
        ["model_repository_agents"], True),
    "cf_runtime": (
        _identity_config("cf_runtime", 'runtime: "libfoo.so"\n'),
        ["runtime"], True),
    "cf_ens_namespace": (
        _ensemble("cf_ens_namespace", step_extra='      model_namespace: "team"\n'),
        ["model_namespace"], True),
}

# name -> (config text, words the reason and a warning line must contain)
TUNING_ONLY = {
    "cf_priority": (
        _identity_config("cf_priority", "optimization { priority: PRIORITY_MAX }\n"),
        ["priority"]),
    "cf_response_cache": (
        _identity_config("cf_response_cache", "response_cache { enable: true }\n"),
        ["response_cache"]),
    "cf_rate_limiter": (
        _identity_config("cf_rate_limiter", """instance_group [
  {
    count: 1
    kind: KIND_CPU
    rate_limiter { resources [ { name: "R1" count: 1 } ] priority: 1 }
  }
]
"""), ["rate_limiter"]),
    "cf_passive": (
        # One ordinary group beside the passive one, so requests have a
        # non-passive instance to run on, as in Triton.
        _identity_config("cf_passive", """instance_group [
  { count: 1 kind: KIND_CPU },
  { count: 1 kind: KIND_CPU passive: true }
]
"""), ["passive"]),
    "cf_metric_tags": (
        _identity_config("cf_metric_tags", 'metric_tags { key: "team" value: "vision" }\n'),
        ["metric_tags"]),
}

INFLIGHT = "cf_ens_inflight"


def write_config_fields_repository(repo):
    model = builders.identity_model("FP32", True, [4])
    write_model(repo, PLAIN, _identity_config(PLAIN), model)
    for name, (config, _, _) in CHANGES_RESULTS.items():
        write_model(repo, name, config, None if name.startswith("cf_ens_") else model)
    for name, (config, _) in TUNING_ONLY.items():
        write_model(repo, name, config, model)
    write_model(repo, INFLIGHT, _ensemble(INFLIGHT, scheduling_extra="  max_inflight_requests: 1\n"), None)
    return repo


@pytest.fixture(scope="module")
def fields_repo(tmp_path_factory):
    return write_config_fields_repository(tmp_path_factory.mktemp("config_fields_repo"))


@pytest.fixture(scope="module")
def default_server(inferd_binary, fields_repo, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("config_fields_default")
    server = start_or_fail(InferdServer([fields_repo], log_dir / "inferd.log", binary=inferd_binary))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def allowing_server(inferd_binary, fields_repo, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("config_fields_allow")
    server = start_or_fail(InferdServer([fields_repo], log_dir / "inferd.log", [f"{ALLOW_FLAG}=true"],
                                        binary=inferd_binary))
    yield server
    server.stop()


def raw_index(server):
    """POST /v2/repository/index, name -> list of rows."""
    response = http_raw.post_json(server, "/v2/repository/index", {})
    assert response.status == 200, response.body
    rows = {}
    for row in response.json():
        rows.setdefault(row["name"], []).append(row)
    return rows


def http_client(server):
    return httpclient.InferenceServerClient(url=server.url, connection_timeout=30, network_timeout=30)


def assert_identity_serves(server, model, input_name="INPUT0", output_name="OUTPUT0", rows=2, seed=0):
    triton = http_client(server)
    try:
        x = np.random.default_rng(seed).random((rows, 4), dtype=np.float32)
        tensor = httpclient.InferInput(input_name, [rows, 4], "FP32")
        tensor.set_data_from_numpy(x)
        result = triton.infer(model, [tensor], outputs=[httpclient.InferRequestedOutput(output_name)])
        np.testing.assert_array_equal(result.as_numpy(output_name), x)
    finally:
        triton.close()


def warning_lines(server, model):
    """Log lines at warning level that name `model`: the level letter W in
    the line's prefix ("2026-01-01 12:00:00.000 W 1234] ..."), or the word
    "warning" anywhere."""
    found = []
    for line in server.log_text().splitlines():
        prefix = line.split("]", 1)[0]
        is_warning = re.search(r"\sW\s", prefix + " ") is not None or "warning" in line.lower()
        if is_warning and f"'{model}'" in line:
            found.append(line)
    return found


def io_names(model):
    return ("IN", "OUT") if model.startswith("cf_ens_") else ("INPUT0", "OUTPUT0")


# --- default flags -------------------------------------------------------

@pytest.mark.parametrize("model", sorted(CHANGES_RESULTS))
def test_result_changing_field_makes_the_model_unavailable(default_server, model):
    _, words, _ = CHANGES_RESULTS[model]
    rows = raw_index(default_server).get(model)
    assert rows, f"{model} is missing from the repository index"
    for row in rows:
        assert row["state"] == "UNAVAILABLE", row
        reason = row.get("reason", "")
        for word in words:
            assert word in reason, f"{model}: reason {reason!r} does not name {word!r}"
        assert NOT_SUPPORTED in reason, f"{model}: reason {reason!r} lacks {NOT_SUPPORTED!r}"
        assert ALLOW_FLAG in reason, f"{model}: reason {reason!r} does not say how to serve it anyway"
    triton = http_client(default_server)
    try:
        assert not triton.is_model_ready(model)
    finally:
        triton.close()


def test_unavailable_reasons_agree_over_tritonclient_http_and_grpc(default_server):
    triton = http_client(default_server)
    try:
        http_rows = {row["name"]: row for row in triton.get_model_repository_index()}
    finally:
        triton.close()
    grpc_rows = {}
    if default_server.serves_grpc():
        grpc_triton = grpcclient.InferenceServerClient(url=default_server.grpc_url)
        try:
            grpc_rows = {row.name: row for row in grpc_triton.get_model_repository_index().models}
        finally:
            grpc_triton.close()
    for model, (_, words, _) in CHANGES_RESULTS.items():
        assert http_rows[model]["state"] == "UNAVAILABLE", http_rows[model]
        assert words[0] in http_rows[model]["reason"] and NOT_SUPPORTED in http_rows[model]["reason"]
        if grpc_rows:
            assert grpc_rows[model].state == "UNAVAILABLE", grpc_rows[model]
            assert grpc_rows[model].reason == http_rows[model]["reason"]


def test_unavailable_model_refuses_inference(default_server):
    response = http_raw.post_json(default_server, http_raw.infer_path("cf_runtime"), {"inputs": [
        http_raw.json_input("INPUT0", "FP32", [1, 4], [1, 2, 3, 4])]})
    assert 400 <= response.status < 500 or response.status == 503, response.body
    assert "cf_runtime" in response.error_text()


@pytest.mark.parametrize("model", sorted(TUNING_ONLY))
def test_tuning_only_field_loads_ready_with_a_warning(default_server, model):
    _, words = TUNING_ONLY[model]
    rows = raw_index(default_server).get(model)
    assert rows, f"{model} is missing from the repository index"
    assert [row["state"] for row in rows] == ["READY"], rows
    reason = rows[0].get("reason", "")
    for word in words:
        assert word in reason, f"{model}: the READY row's reason {reason!r} does not mention {word!r}"
    lines = warning_lines(default_server, model)
    assert any(all(word in line for word in words) for line in lines), (
        f"no warning line about {model} names {words}; warnings about it: {lines}")
    assert_identity_serves(default_server, model, seed=len(model))


def test_plain_model_beside_them_is_ready_without_notes(default_server):
    rows = raw_index(default_server)[PLAIN]
    assert [row["state"] for row in rows] == ["READY"], rows
    assert not rows[0].get("reason"), rows
    assert not warning_lines(default_server, PLAIN)
    assert_identity_serves(default_server, PLAIN)


def test_result_changing_fields_are_not_just_warned_about(default_server):
    # A refused model's field must not be logged as "ignored" while READY.
    index = raw_index(default_server)
    for model in CHANGES_RESULTS:
        assert all(row["state"] != "READY" for row in index[model]), index[model]
        assert model in default_server.log_text(), f"the log does not mention {model}"


def test_ensemble_max_inflight_requests_loads_and_serves_concurrently(default_server):
    rows = raw_index(default_server)[INFLIGHT]
    assert [row["state"] for row in rows] == ["READY"], rows
    assert not rows[0].get("reason"), rows  # implemented: no note

    def run(index):
        triton = http_client(default_server)
        wrong = 0
        try:
            for i in range(5):
                rows_ = 1 + (index + i) % 3
                x = np.full((rows_, 4), index * 10 + i, dtype=np.float32) + np.arange(4, dtype=np.float32)
                tensor = httpclient.InferInput("IN", [rows_, 4], "FP32")
                tensor.set_data_from_numpy(x)
                result = triton.infer(INFLIGHT, [tensor])
                if not np.array_equal(result.as_numpy("OUT"), x):
                    wrong += 1
        finally:
            triton.close()
        return wrong

    with ThreadPoolExecutor(6) as pool:
        assert sum(pool.map(run, range(6))) == 0


# --- --allow-unsupported-config-fields=true ------------------------------

@pytest.mark.parametrize("model", sorted(CHANGES_RESULTS))
def test_allow_flag_serves_the_model_anyway(allowing_server, model):
    _, words, serves_plain_requests = CHANGES_RESULTS[model]
    rows = raw_index(allowing_server).get(model)
    assert rows, f"{model} is missing from the repository index"
    assert [row["state"] for row in rows] == ["READY"], rows
    reason = rows[0].get("reason", "")
    for word in words:
        assert word in reason, f"{model}: the READY row's reason {reason!r} does not mention {word!r}"
    assert NOT_SUPPORTED in reason, reason
    lines = warning_lines(allowing_server, model)
    assert any(all(word in line for word in words) for line in lines), (
        f"no warning line about {model} names {words}; warnings about it: {lines}")
    if serves_plain_requests:
        input_name, output_name = io_names(model)
        assert_identity_serves(allowing_server, model, input_name, output_name, seed=len(model))


def test_allow_flag_keeps_tuning_only_and_plain_models_ready(allowing_server):
    index = raw_index(allowing_server)
    for model in list(TUNING_ONLY) + [PLAIN, INFLIGHT]:
        assert [row["state"] for row in index[model]] == ["READY"], index[model]
    triton = http_client(allowing_server)
    try:
        assert triton.is_server_ready()  # nothing is UNAVAILABLE any more
    finally:
        triton.close()
