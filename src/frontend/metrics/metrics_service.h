// The metrics service: an HttpServer of its own (on --metrics-port) whose
// MetricsHandler renders the Server's statistics for every model version plus
// process and CPU figures, computed when scraped (nothing runs in between).
//
// Lifetime as HttpServer's: Stop() before the Server is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "core/server.h"
#include "frontend/http/http_server.h"
#include "frontend/metrics/process_metrics.h"

namespace inferd::metrics {

struct MetricsServiceOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8002;  // 0: an ephemeral port, see MetricsService::port()
  bool cpu_metrics = true;  // Triton's nv_cpu_* gauges (--allow-cpu-metrics)
};

class MetricsService {
 public:
  // Binds and starts serving; UNAVAILABLE when the address cannot be bound.
  static Result<std::unique_ptr<MetricsService>> Start(const Server* server, const MetricsServiceOptions& options);
  ~MetricsService();
  MetricsService(const MetricsService&) = delete;
  MetricsService& operator=(const MetricsService&) = delete;

  uint16_t port() const { return http_->port(); }
  // Stops accepting and closes connections. Idempotent.
  void Stop();

 private:
  explicit MetricsService(std::unique_ptr<http::HttpServer> http) : http_(std::move(http)) {}

  std::unique_ptr<http::HttpServer> http_;
};

// The whole /metrics body for `server` now.
Result<std::string> RenderServerMetrics(const Server& server, ProcessMetricsReader& process, bool cpu_metrics);

}  // namespace inferd::metrics
