#include "frontend/metrics/metrics_handler.h"

#include <fmt/format.h>

#include <string_view>

#include "frontend/http/http_status.h"
#include "frontend/metrics/prometheus_text.h"

namespace inferd::metrics {

namespace beast_http = boost::beast::http;

void MetricsHandler::Handle(http::HttpRequest request, http::HttpReplier replier) {
  std::string_view target(request.target().data(), request.target().size());
  // Prometheus may add query parameters (e.g. from `params:` in a scrape
  // config); the path alone decides.
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") {
    replier.Send(http::MakeErrorResponse(beast_http::status::not_found,
                                         fmt::format("no such path '{}': metrics are served at /metrics", path)));
    return;
  }
  if (request.method() != beast_http::verb::get && request.method() != beast_http::verb::head) {
    http::HttpResponse response = http::MakeErrorResponse(
        beast_http::status::method_not_allowed,
        fmt::format("/metrics answers GET and HEAD, not {}",
                    std::string_view(request.method_string().data(), request.method_string().size())));
    response.set(beast_http::field::allow, "GET, HEAD");
    replier.Send(std::move(response));
    return;
  }
  Result<std::string> body = render_();
  if (!body.ok()) {
    replier.Send(http::MakeErrorResponse(beast_http::status::internal_server_error,
                                         fmt::format("cannot render metrics: {}", body.status().message())));
    return;
  }
  http::HttpResponse response{beast_http::status::ok, request.version()};
  response.set(beast_http::field::content_type,
               boost::beast::string_view(kPrometheusContentType.data(), kPrometheusContentType.size()));
  response.body() = std::move(body).value();
  replier.Send(std::move(response));
}

}  // namespace inferd::metrics
