"""gRPC over TLS with tritonserver's flags (--grpc-use-ssl, --grpc-server-cert,
--grpc-server-key, --grpc-use-ssl-mutual, --grpc-root-cert). Certificates are
throwaway ones made at test time (tls_certs.py). A client with the right
root certificate connects and infers; a plain client, a client trusting
another CA, and (mutual TLS) a client without a good certificate are
refused; the server keeps serving the good clients."""

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

import tls_certs
from server_process import InferdServer, start_or_fail

pytestmark = [pytest.mark.timeout(90),
              pytest.mark.skipif(not tls_certs.openssl_available(),
                                 reason="the openssl CLI is needed to make test certificates")]

REFUSED = ("StatusCode.UNAVAILABLE", "StatusCode.DEADLINE_EXCEEDED")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return tls_certs.make_certificates(tmp_path_factory.mktemp("tls"))


def _start(binary, repo, log_path, args):
    return start_or_fail(InferdServer([repo], log_path, args, binary))


@pytest.fixture(scope="module")
def tls_server(inferd_binary, test_repo, certificates, tmp_path_factory):
    inferd = _start(inferd_binary, test_repo, tmp_path_factory.mktemp("tls_server") / "inferd.log", [
        "--grpc-use-ssl=true",
        "--grpc-server-cert", str(certificates.server_cert),
        "--grpc-server-key", str(certificates.server_key)])
    yield inferd
    inferd.stop()


@pytest.fixture(scope="module")
def mutual_tls_server(inferd_binary, test_repo, certificates, tmp_path_factory):
    inferd = _start(inferd_binary, test_repo, tmp_path_factory.mktemp("mtls_server") / "inferd.log", [
        "--grpc-use-ssl", "true", "--grpc-use-ssl-mutual", "true",
        "--grpc-server-cert", str(certificates.server_cert),
        "--grpc-server-key", str(certificates.server_key),
        "--grpc-root-cert", str(certificates.ca)])
    yield inferd
    inferd.stop()


def _identity_round_trip(triton):
    data = np.arange(8, dtype=np.float32).reshape(2, 4) - 3.5
    tensor = grpcclient.InferInput("INPUT0", [2, 4], "FP32")
    tensor.set_data_from_numpy(data)
    result = triton.infer("identity_fp32", [tensor], request_id="over-tls", client_timeout=30)
    assert result.get_response().id == "over-tls"
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), data)


def _connect(server, **kwargs):
    return grpcclient.InferenceServerClient(url=server.grpc_url, **kwargs)


def _assert_refused(server, **kwargs):
    triton = _connect(server, **kwargs)
    try:
        with pytest.raises(InferenceServerException) as raised:
            triton.is_server_live(client_timeout=10)
        assert raised.value.status() in REFUSED, raised.value
        with pytest.raises(InferenceServerException):
            _identity_round_trip(triton)
    finally:
        triton.close()


def _assert_serves(server, **kwargs):
    triton = _connect(server, **kwargs)
    try:
        assert triton.is_server_live(client_timeout=10) is True
        assert triton.is_model_ready("identity_fp32", client_timeout=10) is True
        _identity_round_trip(triton)
    finally:
        triton.close()


def test_client_with_the_right_root_certificate_infers(tls_server, certificates):
    _assert_serves(tls_server, ssl=True, root_certificates=str(certificates.ca))


def test_tls_stream_works(tls_server, certificates):
    answers = []
    triton = _connect(tls_server, ssl=True, root_certificates=str(certificates.ca))
    try:
        triton.start_stream(callback=lambda result, error: answers.append((result, error)))
        for i in range(5):
            data = np.full((1, 4), i, dtype=np.float32)
            tensor = grpcclient.InferInput("INPUT0", [1, 4], "FP32")
            tensor.set_data_from_numpy(data)
            triton.async_stream_infer("identity_fp32", [tensor], request_id=str(i))
        triton.stop_stream()
    finally:
        triton.close()
    assert [error for _, error in answers] == [None] * 5
    assert sorted(result.get_response().id for result, _ in answers) == ["0", "1", "2", "3", "4"]


def test_plain_client_is_refused(tls_server):
    _assert_refused(tls_server)


def test_client_trusting_another_ca_is_refused(tls_server, certificates):
    _assert_refused(tls_server, ssl=True, root_certificates=str(certificates.other_ca))


def test_client_with_system_roots_only_is_refused(tls_server):
    _assert_refused(tls_server, ssl=True)


def test_good_client_still_served_after_refusals(tls_server, certificates):
    test_plain_client_is_refused(tls_server)
    _assert_serves(tls_server, ssl=True, root_certificates=str(certificates.ca))
    assert tls_server.is_running()


def test_http_is_unaffected_by_grpc_tls(tls_server):
    import tritonclient.http as httpclient
    triton = httpclient.InferenceServerClient(url=tls_server.url)
    try:
        assert triton.is_server_live()
    finally:
        triton.close()


def test_mutual_tls_client_with_certificate_infers(mutual_tls_server, certificates):
    _assert_serves(mutual_tls_server, ssl=True, root_certificates=str(certificates.ca),
                   private_key=str(certificates.client_key),
                   certificate_chain=str(certificates.client_cert))


def test_mutual_tls_client_without_certificate_is_refused(mutual_tls_server, certificates):
    _assert_refused(mutual_tls_server, ssl=True, root_certificates=str(certificates.ca))


def test_mutual_tls_client_certificate_from_another_ca_is_refused(mutual_tls_server, certificates):
    _assert_refused(mutual_tls_server, ssl=True, root_certificates=str(certificates.ca),
                    private_key=str(certificates.other_client_key),
                    certificate_chain=str(certificates.other_client_cert))


def test_mutual_tls_plain_client_is_refused(mutual_tls_server):
    _assert_refused(mutual_tls_server)


@pytest.mark.parametrize("missing", ["--grpc-server-cert", "--grpc-server-key"])
def test_missing_certificate_file_stops_start_up_with_its_name(server_factory, test_repo, certificates,
                                                               tmp_path, missing):
    files = {"--grpc-server-cert": str(certificates.server_cert),
             "--grpc-server-key": str(certificates.server_key)}
    files[missing] = str(tmp_path / "no_such_file.pem")
    args = ["--grpc-use-ssl=true"]
    for flag, path in files.items():
        args += [flag, path]
    inferd = server_factory.create([test_repo], args)
    inferd.launch()
    exit_code = inferd.wait_exit(timeout=60)
    log = inferd.log_text()
    assert exit_code is not None, f"inferd kept running with a missing {missing} file\n{log}"
    assert exit_code != 0, log
    assert "no_such_file.pem" in log, f"the log does not name the missing file:\n{log}"
