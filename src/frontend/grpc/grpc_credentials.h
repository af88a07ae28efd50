// Server credentials from tritonserver's TLS flags: plain text, TLS, or
// mutual TLS (the client must present a certificate signed by the root).
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace inferd::grpc_frontend {

struct GrpcTlsOptions {
  bool use_ssl = false;         // --grpc-use-ssl
  bool use_ssl_mutual = false;  // --grpc-use-ssl-mutual (implies use_ssl, as in tritonserver)
  std::string server_cert;      // --grpc-server-cert: PEM file
  std::string server_key;       // --grpc-server-key: PEM file
  std::string root_cert;        // --grpc-root-cert: PEM file; clients' CA for mutual TLS
};

// Insecure credentials when neither use_ssl nor use_ssl_mutual is set.
// INVALID_ARGUMENT naming the flag and the file when a file TLS needs is not
// given, cannot be read or is empty; the certificates themselves are checked
// by gRPC when the server starts.
Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const GrpcTlsOptions& options);

}  // namespace inferd::grpc_frontend
