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

  ASSIGN_OR_RETURN(std::string cert, ReadPemFile("--grpc-server-cert", options.server_cert));
  ASSIGN_OR_RETURN(std::string key, ReadPemFile("--grpc-server-key", options.server_key));

  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({std::move(key), std::move(cert)});
  if (options.use_ssl_mutual) {
    ASSIGN_OR_RETURN(std::string root, ReadPemFile("--grpc-root-cert", options.root_cert));
    ssl.pem_root_certs = std::move(root);
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else {
    if (!options.root_cert.empty()) {
      ASSIGN_OR_RETURN(std::string root, ReadPemFile("--grpc-root-cert", options.root_cert));
      ssl.pem_root_certs = std::move(root);
    }
    ssl.client_certificate_request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace inferd::grpc_frontend
