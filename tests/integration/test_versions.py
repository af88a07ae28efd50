"""Explicit versions and version_policy on examples/simple/simple_versioned:
versions 1, 2 and 3 are on disk, the policy serves only 1 and 3, each
version adds its own number, and the default version is the highest."""

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import http_raw

pytestmark = pytest.mark.timeout(60)

MODEL = "simple_versioned"


def versioned_infer(client, version, binary=True):
    data = np.array([[0.0, 1.5, -2.25, 100.0]], dtype=np.float32)
    tensor = httpclient.InferInput("INPUT0", [1, 4], "FP32")
    tensor.set_data_from_numpy(data, binary_data=binary)
    result = client.infer(MODEL, [tensor], model_version=version)
    return data, result


@pytest.mark.parametrize("version", ["1", "3"])
@pytest.mark.parametrize("binary", [False, True])
def test_served_versions_add_their_number(client, version, binary):
    data, result = versioned_infer(client, version, binary)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data + int(version))
    assert result.get_response()["model_version"] == version


def test_default_version_is_highest_served(client):
    data, result = versioned_infer(client, "")
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data + 3)
    assert result.get_response()["model_version"] == "3"


def test_version_outside_policy_is_refused(client, server):
    with pytest.raises(InferenceServerException) as raised:
        versioned_infer(client, "2")
    assert MODEL in str(raised.value)
    raw = http_raw.post_json(server, http_raw.infer_path(MODEL, 2), {"inputs": [
        http_raw.json_input("INPUT0", "FP32", [1, 4], [1, 2, 3, 4])]})
    assert 400 <= raw.status < 500
    assert MODEL in raw.error_text()
    http_raw.assert_other_model_still_serves(server)


def test_version_readiness_and_metadata(client):
    assert client.is_model_ready(MODEL, "1")
    assert client.is_model_ready(MODEL, "3")
    assert not client.is_model_ready(MODEL, "2")
    assert client.is_model_ready(MODEL)
    metadata = client.get_model_metadata(MODEL)
    assert sorted(metadata["versions"], key=int) == ["1", "3"]
    assert client.get_model_metadata(MODEL, "1")["name"] == MODEL


def test_versions_are_counted_separately(client):
    def success_count(version):
        stats = client.get_inference_statistics(MODEL, version)["model_stats"]
        return int(stats[0]["inference_stats"]["success"]["count"])

    before_1, before_3 = success_count("1"), success_count("3")
    versioned_infer(client, "1")
    versioned_infer(client, "1")
    versioned_infer(client, "3")
    assert success_count("1") - before_1 == 2
    assert success_count("3") - before_3 == 1
