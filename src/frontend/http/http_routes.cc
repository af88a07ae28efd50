#include "frontend/http/http_routes.h"

#include <fmt/format.h>

#include <boost/beast/http/field.hpp>
#include <charconv>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "config/data_type_conversion.h"
#include "config/json.h"
#include "core/server.h"
#include "frontend/http/http_compression.h"
#include "frontend/http/http_status.h"
#include "protocol/http_infer_request.h"
#include "protocol/http_infer_response.h"
#include "protocol/http_json.h"
#include "protocol/model_control_messages.h"
#include "protocol/http_raw_request.h"

namespace inferd::http {

namespace beast_http = boost::beast::http;
using beast_http::status;
using beast_http::verb;

namespace {

// Triton's header for the length of the JSON part of a binary-data body.
constexpr std::string_view kInferHeaderLengthField = "Inference-Header-Content-Length";

std::string_view ToStringView(boost::beast::string_view text) { return {text.data(), text.size()}; }

HttpResponse EmptyResponse(status code) { return HttpResponse{code, 11}; }

// "Inference-Header-Content-Length: N" -> N; nullopt when the header is absent.
Result<std::optional<size_t>> ParseHeaderLength(const HttpRequest& request, const std::string& model_name) {
  auto field = request.find(boost::beast::string_view(kInferHeaderLengthField.data(), kInferHeaderLengthField.size()));
  if (field == request.end()) return std::optional<size_t>();
  std::string_view text = ToStringView(field->value());
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(fmt::format("inference request for model '{}': {} must be a non-negative integer, got '{}'",
                                               model_name, kInferHeaderLengthField, text));
  }
  return std::optional<size_t>(value);
}

// Triton's raw binary request: the body is the data of the model's one
// input, described by its config.
Result<protocol::HttpInferRequest> DecodeRawBinaryRequest(Server& server, const std::string& model_name,
                                                          int64_t version, std::shared_ptr<const std::string> body) {
  ASSIGN_OR_RETURN(std::shared_ptr<const inference::ModelConfig> config, server.GetModelConfig(model_name, version));
  protocol::RawInputSpec spec;
  spec.config_input_count = static_cast<size_t>(config->input_size());
  if (spec.config_input_count == 1) {
    const inference::ModelInput& input = config->input(0);
    spec.name = input.name();
    spec.datatype = config::DataTypeFromConfig(input.data_type()).value_or(DataType::kInvalid);
    spec.dims.assign(input.dims().begin(), input.dims().end());
    spec.batched = config->max_batch_size() > 0;
  }
  return protocol::DecodeRawBinaryRequest(model_name, version, spec, std::move(body));
}

// Builds the HTTP answer to one inference, on the connection's io thread.
HttpResponse BuildInferResponse(const Result<InferenceResponse>& result, const protocol::HttpInferRequest& request,
                                ContentCoding coding) {
  if (!result.ok()) {
    LogVerbose("inference for model '{}' failed: {}", request.request.model_name, result.status().ToString());
    return MakeErrorResponse(result.status());
  }
  protocol::HttpResponseBody body = protocol::EncodeHttpInferResponse(*result, request);
  HttpResponse response{status::ok, 11};
  if (body.json_header_length) {
    response.set(beast_http::field::content_type, "application/octet-stream");
    response.set(boost::beast::string_view(kInferHeaderLengthField.data(), kInferHeaderLengthField.size()),
                 std::to_string(*body.json_header_length));
  } else {
    response.set(beast_http::field::content_type, "application/json");
  }
  if (coding != ContentCoding::kIdentity) {
    Result<std::string> compressed = Compress(coding, body.content);
    if (compressed.ok()) {
      std::string_view name = ContentCodingName(coding);
      response.set(beast_http::field::content_encoding, boost::beast::string_view(name.data(), name.size()));
      response.body() = std::move(compressed).value();
      return response;
    }
    // Identity is always acceptable to the client: send it uncompressed.
    LogWarning("could not compress the response of model '{}': {}", request.request.model_name,
               compressed.status().ToString());
  }
  response.body() = std::move(body.content);
  return response;
}

// Triton's grouping of the routes (restricted_features.h).
ApiCategory CategoryOf(RouteKind kind) {
  switch (kind) {
    case RouteKind::kHealthLive:
    case RouteKind::kHealthReady:
    case RouteKind::kModelReady: return ApiCategory::kHealth;
    case RouteKind::kServerMetadata:
    case RouteKind::kModelMetadata: return ApiCategory::kMetadata;
    case RouteKind::kModelInfer: return ApiCategory::kInference;
    case RouteKind::kModelConfig: return ApiCategory::kModelConfig;
    case RouteKind::kModelStatistics: return ApiCategory::kStatistics;
    case RouteKind::kRepositoryIndex:
    case RouteKind::kRepositoryLoad:
    case RouteKind::kRepositoryUnload:
    case RouteKind::kUnsupported: break;
  }
  return ApiCategory::kModelRepository;
}

}  // namespace

HttpRoutes::HttpRoutes(Server* server, size_t max_input_size, RestrictedApis restricted)
    : server_(server),
      max_input_size_(max_input_size),
      restricted_(std::move(restricted)),
      server_metadata_json_(protocol::ServerMetadataJson(server->Name(), Server::Version(), Server::Extensions())) {}

void HttpRoutes::Handle(HttpRequest request, HttpReplier replier) {
  Result<Route> route = ParseRoute(ToStringView(request.target()));
  if (!route.ok()) {
    // Triton answers unknown paths with exactly this.
    if (route.status().code() == StatusCode::kNotFound) return replier.Send(MakeErrorResponse(status::not_found, "Not Found"));
    return replier.Send(MakeErrorResponse(route.status()));
  }
  if (route->kind != RouteKind::kUnsupported) {
    if (std::optional<HttpResponse> refused = RefuseIfRestricted(route->kind, request)) {
      return replier.Send(std::move(*refused));
    }
  }
  if (route->kind == RouteKind::kUnsupported) {
    return replier.Send(MakeErrorResponse(status::not_implemented,
                                          fmt::format("inferd does not support {} yet", route->unsupported_feature)));
  }

  const verb expected = RouteMethod(route->kind);
  const verb method = request.method() == verb::head && expected == verb::get ? verb::get : request.method();
  if (method != expected) {
    HttpResponse response = MakeErrorResponse(status::method_not_allowed, "Method Not Allowed");
    response.set(beast_http::field::allow, expected == verb::get ? "GET, HEAD" : "POST");
    return replier.Send(std::move(response));
  }

  switch (route->kind) {
    case RouteKind::kServerMetadata: return replier.Send(MakeJsonResponse(server_metadata_json_));
    case RouteKind::kHealthLive:
    case RouteKind::kHealthReady: return replier.Send(Health(route->kind));
    case RouteKind::kModelMetadata: return replier.Send(ModelMetadata(*route));
    case RouteKind::kModelReady: return replier.Send(ModelReady(*route));
    case RouteKind::kModelConfig: return replier.Send(ModelConfig(*route));
    case RouteKind::kModelStatistics: return replier.Send(ModelStatistics(*route));
    case RouteKind::kRepositoryIndex: return replier.Send(RepositoryIndex(request));
    case RouteKind::kRepositoryLoad: return LoadModel(*route, request, replier);
    case RouteKind::kRepositoryUnload: return UnloadModel(*route, request, replier);
    case RouteKind::kModelInfer: return Infer(*route, std::move(request), replier);
    case RouteKind::kUnsupported: break;  // answered above
  }
  replier.Send(MakeErrorResponse(status::internal_server_error, "route without a handler"));
}

std::optional<HttpResponse> HttpRoutes::RefuseIfRestricted(RouteKind kind, const HttpRequest& request) const {
  const ApiRestriction* restriction = restricted_.For(CategoryOf(kind));
  if (restriction == nullptr) return std::nullopt;
  auto header = request.find(restriction->key);
  if (header != request.end() && ToStringView(header->value()) == restriction->value) return std::nullopt;
  return MakeErrorResponse(status::forbidden,
                           fmt::format("This API is restricted, expecting header '{}'", restriction->key));
}

HttpResponse HttpRoutes::Health(RouteKind kind) const {
  const bool healthy = kind == RouteKind::kHealthLive ? server_->IsLive() : server_->IsReady();
  return EmptyResponse(healthy ? status::ok : status::bad_request);
}

HttpResponse HttpRoutes::ModelReady(const Route& route) const {
  Result<int64_t> version = ParseModelVersion(route.model_name, route.version);
  if (!version.ok()) return MakeErrorResponse(version.status());
  Status ready = server_->ModelReady(route.model_name, *version);
  if (ready.ok()) return EmptyResponse(status::ok);
  // Triton answers 400 for every model that is not ready, known or not.
  return MakeErrorResponse(status::bad_request, ready.message());
}

HttpResponse HttpRoutes::ModelMetadata(const Route& route) const {
  Result<int64_t> version = ParseModelVersion(route.model_name, route.version);
  if (!version.ok()) return MakeErrorResponse(version.status());
  Result<inferd::ModelMetadata> metadata = server_->GetModelMetadata(route.model_name, *version);
  if (!metadata.ok()) return MakeErrorResponse(metadata.status());
  return MakeJsonResponse(protocol::ModelMetadataJson(*metadata));
}

HttpResponse HttpRoutes::ModelConfig(const Route& route) const {
  Result<int64_t> version = ParseModelVersion(route.model_name, route.version);
  if (!version.ok()) return MakeErrorResponse(version.status());
  auto config = server_->GetModelConfig(route.model_name, *version);
  if (!config.ok()) return MakeErrorResponse(config.status());
  return MakeJsonResponse(config::ModelConfigToJson(**config));
}

HttpResponse HttpRoutes::ModelStatistics(const Route& route) const {
  Result<int64_t> version = ParseModelVersion(route.model_name, route.version);
  if (!version.ok()) return MakeErrorResponse(version.status());
  Result<std::vector<ModelStatisticsSnapshot>> stats = server_->GetStatistics(route.model_name, *version);
  if (!stats.ok()) return MakeErrorResponse(stats.status());
  return MakeJsonResponse(protocol::ModelStatisticsJson(*stats));
}

HttpResponse HttpRoutes::RepositoryIndex(const HttpRequest& request) const {
  Result<bool> ready_only = protocol::ParseRepositoryIndexReady(request.body());
  if (!ready_only.ok()) return MakeErrorResponse(ready_only.status());
  return MakeJsonResponse(protocol::RepositoryIndexJson(server_->RepositoryIndex(*ready_only)));
}

// Load and unload answer when the controller has done them, from its load
// thread: 200 with an empty body, as Triton answers.
void HttpRoutes::LoadModel(const Route& route, const HttpRequest& request, const HttpReplier& replier) const {
  Result<ModelLoadRequest> load = protocol::ParseHttpLoadRequest(route.model_name, request.body());
  if (!load.ok()) return replier.Send(MakeErrorResponse(load.status()));
  server_->LoadModel(std::move(load).value(), [replier](Status status) {
    replier.Send(status.ok() ? MakeJsonResponse("") : MakeErrorResponse(status));
  });
}

void HttpRoutes::UnloadModel(const Route& route, const HttpRequest& request, const HttpReplier& replier) const {
  Result<bool> unload_dependents = protocol::ParseHttpUnloadDependents(request.body());
  if (!unload_dependents.ok()) return replier.Send(MakeErrorResponse(unload_dependents.status()));
  server_->UnloadModel(route.model_name, *unload_dependents, [replier](Status status) {
    replier.Send(status.ok() ? MakeJsonResponse("") : MakeErrorResponse(status));
  });
}

void HttpRoutes::Infer(const Route& route, HttpRequest request, const HttpReplier& replier) const {
  Result<int64_t> version = ParseModelVersion(route.model_name, route.version);
  if (!version.ok()) return replier.Send(MakeErrorResponse(version.status()));

  std::string_view encoding_header = ToStringView(request[beast_http::field::content_encoding]);
  std::optional<ContentCoding> coding = ParseContentEncoding(encoding_header);
  if (!coding) {
    return replier.Send(MakeErrorResponse(
        status::unsupported_media_type,
        fmt::format("inference request for model '{}': unsupported Content-Encoding '{}' (expected gzip, deflate or "
                    "identity)",
                    route.model_name, encoding_header)));
  }
  // The body moves into shared ownership: input tensors will point into it.
  auto body = std::make_shared<std::string>(std::move(request.body()));
  if (*coding != ContentCoding::kIdentity) {
    Result<std::string> plain = Decompress(*coding, *body, max_input_size_);
    if (!plain.ok()) {
      const status code = plain.status().code() == StatusCode::kResourceExhausted ? status::payload_too_large
                                                                                   : ToHttpStatus(plain.status());
      return replier.Send(MakeErrorResponse(
          code, fmt::format("inference request for model '{}': {}", route.model_name, plain.status().message())));
    }
    *body = std::move(plain).value();
  }

  Result<std::optional<size_t>> header_length = ParseHeaderLength(request, route.model_name);
  if (!header_length.ok()) return replier.Send(MakeErrorResponse(header_length.status()));
  if (*header_length && **header_length > body->size()) {
    return replier.Send(MakeErrorResponse(
        status::bad_request, fmt::format("inference request for model '{}': {} is {} but the body has only {} bytes",
                                         route.model_name, kInferHeaderLengthField, **header_length, body->size())));
  }

  Result<protocol::HttpInferRequest> decoded =
      *header_length == size_t{0}
          ? DecodeRawBinaryRequest(*server_, route.model_name, *version, std::move(body))
          : protocol::DecodeHttpInferRequest(route.model_name, *version, std::move(body), *header_length);
  if (!decoded.ok()) return replier.Send(MakeErrorResponse(decoded.status()));

  // The encoder needs the request's output options, not its inputs: keep a
  // copy without the inputs and hand the inputs to the server.
  std::vector<Tensor> inputs = std::move(decoded->request.inputs);
  decoded->request.inputs.clear();
  auto encode_options = std::make_shared<const protocol::HttpInferRequest>(*decoded);
  InferenceRequest infer_request = std::move(decoded->request);
  infer_request.inputs = std::move(inputs);
  infer_request.cancelled = replier.client_gone();

  const ContentCoding response_coding = ChooseResponseCoding(ToStringView(request[beast_http::field::accept_encoding]));
  server_->Infer(std::move(infer_request), [replier, encode_options, response_coding](Result<InferenceResponse> result) {
    // On a server thread: only hand over; encoding happens on the io thread.
    auto shared_result = std::make_shared<const Result<InferenceResponse>>(std::move(result));
    replier.SendFrom([shared_result, encode_options, response_coding] {
      return BuildInferResponse(*shared_result, *encode_options, response_coding);
    });
  }, "HTTP end point");
}

}  // namespace inferd::http
