// inferd::Status -> HTTP status code, and the one shape of an HTTP error
// response ({"error": "..."} as application/json).
//
// The code choices follow Triton's HTTP frontend (http_server.cc,
// HttpCodeFromError) so clients that look at codes see the same ones:
// INTERNAL 500, NOT_FOUND 404, UNAVAILABLE 503, UNSUPPORTED 501 and 400 for
// the rest (invalid argument, already exists, cancelled, unknown).
// Two codes Triton does not have: RESOURCE_EXHAUSTED (a full queue) is 429,
// and DEADLINE_EXCEEDED (timed out in a queue) is 503 because Triton reports
// the same event as UNAVAILABLE "Request timeout expired".
#pragma once

#include <boost/beast/http/status.hpp>
#include <string_view>

#include "common/status.h"
#include "frontend/http/http_handler.h"

namespace inferd::http {

boost::beast::http::status ToHttpStatus(StatusCode code);
inline boost::beast::http::status ToHttpStatus(const Status& status) { return ToHttpStatus(status.code()); }

// A response with `code` and the body {"error": message}.
HttpResponse MakeErrorResponse(boost::beast::http::status code, std::string_view message);
// The same for a non-OK Status, with the code from ToHttpStatus.
HttpResponse MakeErrorResponse(const Status& status);

// A 200 response carrying `json` as application/json.
HttpResponse MakeJsonResponse(std::string json);

}  // namespace inferd::http
