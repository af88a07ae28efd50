#include "frontend/http/http_status.h"

#include <boost/beast/http/field.hpp>
#include <string>

#include "common/bounded_text.h"
#include "protocol/http_json.h"

namespace inferd::http {

namespace beast_http = boost::beast::http;

beast_http::status ToHttpStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return beast_http::status::ok;
    case StatusCode::kInvalidArgument: return beast_http::status::bad_request;
    case StatusCode::kNotFound: return beast_http::status::not_found;
    case StatusCode::kUnavailable: return beast_http::status::service_unavailable;
    case StatusCode::kResourceExhausted: return beast_http::status::too_many_requests;
    case StatusCode::kDeadlineExceeded: return beast_http::status::service_unavailable;
    case StatusCode::kCancelled: return beast_http::status::bad_request;
    case StatusCode::kAlreadyExists: return beast_http::status::bad_request;
    case StatusCode::kUnimplemented: return beast_http::status::not_implemented;
    case StatusCode::kUnsupported: return beast_http::status::bad_request;
    case StatusCode::kInternal: return beast_http::status::internal_server_error;
  }
  return beast_http::status::bad_request;  // Triton's answer for unknown codes
}

HttpResponse MakeErrorResponse(beast_http::status code, std::string_view message) {
  HttpResponse response{code, 11};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = protocol::ErrorJson(BoundMessage(message));
  return response;
}

HttpResponse MakeErrorResponse(const Status& status) {
  // An OK status here is a bug in the caller; still answer with an error
  // rather than a 200 carrying {"error": ""}.
  if (status.ok()) return MakeErrorResponse(beast_http::status::internal_server_error, "internal error: empty status");
  return MakeErrorResponse(ToHttpStatus(status), status.message());
}

HttpResponse MakeJsonResponse(std::string json) {
  HttpResponse response{beast_http::status::ok, 11};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = std::move(json);
  return response;
}

}  // namespace inferd::http
