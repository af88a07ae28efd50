#include "frontend/metrics/metrics_service.h"

#include <chrono>

#include "frontend/metrics/metrics_handler.h"
#include "frontend/metrics/process_metrics.h"
#include "frontend/metrics/prometheus_text.h"
#include "types/inference_request.h"

namespace inferd::metrics {

Result<std::string> RenderServerMetrics(const Server& server, ProcessMetricsReader& process, bool cpu_metrics) {
  ASSIGN_OR_RETURN(std::vector<ModelStatisticsSnapshot> models, server.GetStatistics("", kLatestVersion));
  ProcessMetrics figures = process.Read();
  if (!cpu_metrics) {
    figures.cpu_utilization.reset();
    figures.memory_total_bytes.reset();
    figures.memory_used_bytes.reset();
  }
  return RenderPrometheus(models, figures);
}

Result<std::unique_ptr<MetricsService>> MetricsService::Start(const Server* server,
                                                              const MetricsServiceOptions& options) {
  auto process = std::make_shared<ProcessMetricsReader>();
  auto handler = std::make_shared<MetricsHandler>([server, process, cpu = options.cpu_metrics] {
    return RenderServerMetrics(*server, *process, cpu);
  });
  http::HttpServerOptions http_options;
  http_options.address = options.address;
  http_options.port = options.port;
  // Scrapes come every few seconds from a handful of Prometheus servers.
  http_options.thread_count = 1;
  Result<std::unique_ptr<http::HttpServer>> started = http::HttpServer::Start(std::move(handler), http_options);
  if (!started.ok()) return started.status().WithPrefix("metrics service");
  return std::unique_ptr<MetricsService>(new MetricsService(std::move(started).value()));
}

MetricsService::~MetricsService() { Stop(); }

void MetricsService::Stop() {
  // Scrapes finish in microseconds; a short grace is plenty.
  if (http_) http_->Stop(std::chrono::seconds(1));
}

}  // namespace inferd::metrics
