#include "frontend/grpc/grpc_credentials.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <grpcpp/security/server_credentials.h>

namespace inferd::grpc_frontend {
namespace {

// Reads a PEM file that `flag` names.
Result<std::string> ReadPemFile(const char* flag, const std::string& path) {
  if (path.empty()) {
    return Status::InvalidArgument(fmt::format("{} is required with TLS (--grpc-use-ssl or --grpc-use-ssl-mutual)", flag));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Status::InvalidArgument(fmt::format("{}: cannot read '{}': {}", flag, path, std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (contents.str().empty()) return Status::InvalidArgument(fmt::format("{}: '{}' is empty", flag, path));
  return contents.str();
}

}  // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const GrpcTlsOptions& options) {
  if (!options.use_ssl && !options.use_ssl_mutual) return grpc::InsecureServerCredentials();

  Result<std::string> cert = ReadPemFile("--grpc-server-cert", options.server_cert);
  if (!cert.ok()) return cert.status();
  Result<std::string> key = ReadPemFile("--grpc-server-key", options.server_key);
  if (!key.ok()) return key.status();

  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({std::move(key).value(), std::move(cert).value()});
  if (options.use_ssl_mutual) {
    Result<std::string> root = ReadPemFile("--grpc-root-cert", options.root_cert);
    if (!root.ok()) return root.status();
    ssl.pem_root_certs = std::move(root).value();
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else {
    if (!options.root_cert.empty()) {
      Result<std::string> root = ReadPemFile("--grpc-root-cert", options.root_cert);
      if (!root.ok()) return root.status();
      ssl.pem_root_certs = std::move(root).value();
    }
    ssl.client_certificate_request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace inferd::grpc_frontend
