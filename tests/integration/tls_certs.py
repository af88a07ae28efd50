"""Throwaway certificates for the TLS tests, made with the `openssl` CLI in
a temporary folder at test time (nothing is committed): two unrelated CAs,
a server certificate for 127.0.0.1 and a client certificate signed by the
first CA, and a client certificate signed by the second ("wrong") CA.

EC P-256 keys: quick to generate and accepted by gRPC's TLS stack.
"""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DAYS = "2"
KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass
class Certificates:
    ca: Path                 # root the server certificate chains to
    server_cert: Path
    server_key: Path
    client_cert: Path        # signed by `ca`, for mutual TLS
    client_key: Path
    other_ca: Path           # an unrelated root
    other_client_cert: Path  # signed by `other_ca`
    other_client_key: Path


def openssl_available():
    return shutil.which("openssl") is not None


def _openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=str(cwd), capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _make_ca(folder, name):
    _openssl("req", "-x509", *KEY_ARGS, "-keyout", f"{name}.key", "-out", f"{name}.pem",
             "-days", DAYS, "-subj", f"/CN=inferd test {name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    return folder / f"{name}.pem", folder / f"{name}.key"


def _make_leaf(folder, name, ca_name, extensions):
    (folder / f"{name}.ext").write_text(extensions)
    _openssl("req", *KEY_ARGS, "-keyout", f"{name}.key", "-out", f"{name}.csr",
             "-subj", f"/CN=inferd test {name}", cwd=folder)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca_name}.pem", "-CAkey", f"{ca_name}.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", DAYS, "-extfile", f"{name}.ext",
             cwd=folder)
    return folder / f"{name}.pem", folder / f"{name}.key"


def make_certificates(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca, _ = _make_ca(folder, "ca")
    other_ca, _ = _make_ca(folder, "other_ca")
    server_cert, server_key = _make_leaf(
        folder, "server", "ca",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    client_extensions = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                         "extendedKeyUsage=clientAuth\n")
    client_cert, client_key = _make_leaf(folder, "client", "ca", client_extensions)
    other_cert, other_key = _make_leaf(folder, "other_client", "other_ca", client_extensions)
    return Certificates(ca, server_cert, server_key, client_cert, client_key, other_ca,
                        other_cert, other_key)
