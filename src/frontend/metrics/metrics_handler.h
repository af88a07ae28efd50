// The HTTP handler of the metrics port: GET (or HEAD) /metrics answers the
// Prometheus text; any other path is 404, any other method on /metrics 405.
// What the text says is the render function's business (MetricsService
// renders the Server's statistics), so tests give it a fake one.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "frontend/http/http_handler.h"

namespace inferd::metrics {

class MetricsHandler : public http::HttpHandler {
 public:
  // `render` runs on an io thread for every scrape; it must be quick and
  // thread-safe. An error becomes a 500 carrying its message.
  explicit MetricsHandler(std::function<Result<std::string>()> render) : render_(std::move(render)) {}

  void Handle(http::HttpRequest request, http::HttpReplier replier) override;

 private:
  std::function<Result<std::string>()> render_;
};

}  // namespace inferd::metrics
