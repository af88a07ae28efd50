// The KServe v2 HTTP API (plus Triton's statistics, model configuration and
// repository index extensions) over the Server facade.
//
// Answers follow tritonserver where clients can tell the difference:
// health endpoints answer 200 or 400 with an empty body; a model that is not
// ready answers 400 with {"error"}; an unknown path 404 "Not Found"; a wrong
// method 405; facade errors map through ToHttpStatus. Inference never blocks
// an io thread: the request is decoded, handed to Server::Infer, and the
// response is encoded on the connection's io thread when it comes back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "frontend/http/http_handler.h"
#include "frontend/http/http_route_parser.h"
#include "frontend/restricted/restricted_api.h"

namespace inferd {
class Server;
}

namespace inferd::http {

class HttpRoutes : public HttpHandler {
 public:
  // `server` must outlive every request handed to this handler.
  // `max_input_size` also bounds decompressed request bodies.
  // `restricted`: the endpoint groups that need a header (--http-restricted-api).
  HttpRoutes(Server* server, size_t max_input_size, RestrictedApis restricted = {});

  void Handle(HttpRequest request, HttpReplier replier) override;

 private:
  // 403 in Triton's words when the route's group is restricted and the
  // request lacks the header; nullopt when it may go on.
  std::optional<HttpResponse> RefuseIfRestricted(RouteKind kind, const HttpRequest& request) const;
  HttpResponse Health(RouteKind kind) const;
  HttpResponse ModelReady(const Route& route) const;
  HttpResponse ModelMetadata(const Route& route) const;
  HttpResponse ModelConfig(const Route& route) const;
  HttpResponse ModelStatistics(const Route& route) const;
  HttpResponse RepositoryIndex(const HttpRequest& request) const;
  void LoadModel(const Route& route, const HttpRequest& request, const HttpReplier& replier) const;
  void UnloadModel(const Route& route, const HttpRequest& request, const HttpReplier& replier) const;
  void Infer(const Route& route, HttpRequest request, const HttpReplier& replier) const;

  Server* const server_;
  const size_t max_input_size_;
  const RestrictedApis restricted_;
  const std::string server_metadata_json_;  // constant for the process: built once
};

}  // namespace inferd::http
