// Status and Result<T>: the one error type of inferd.
//
// A Status is either OK (no allocation, one null pointer) or a code plus a
// message. Codes are protocol-neutral; the frontends map them to HTTP and gRPC
// status codes at the edge (see ToHttpStatus in src/frontend/http).
// Messages name the model, the tensor and what was expected vs. received.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace inferd {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the request is malformed or does not match the model
  kNotFound,           // unknown model, version, tensor or route
  kUnavailable,        // the model exists but is not ready, or the server stops
  kResourceExhausted,  // a queue or size limit was hit
  kDeadlineExceeded,   // a request timed out in a queue
  kCancelled,          // the client went away
  kAlreadyExists,
  kUnimplemented,
  kUnsupported,  // Triton's UNSUPPORTED: the request asks what this model or API does not do
  kInternal,  // a bug or a backend failure that is not the caller's fault
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) { return {StatusCode::kDeadlineExceeded, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Unimplemented(std::string msg) { return {StatusCode::kUnimplemented, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return ok() ? StatusCode::kOk : state_->code; }
  const std::string& message() const;
  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>" (same code).
  Status WithPrefix(std::string_view prefix) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;
};

namespace status_internal {
// Prints the error and aborts: value() of a Result that holds an error is a
// bug, and stopping at once names it instead of reading garbage.
[[noreturn]] void DieOnValueOfError(const Status& status);
}  // namespace status_internal

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {
    if (status_.ok()) status_ = Status::Internal("Result built from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // The value; aborts with the error when there is none (check ok() first).
  T& value() & { return Checked(), *value_; }
  const T& value() const& { return Checked(), *value_; }
  T&& value() && { return Checked(), std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void Checked() const {
    if (!value_.has_value()) [[unlikely]] status_internal::DieOnValueOfError(status_);
  }

  std::optional<T> value_;
  Status status_;  // OK when value_ is set
};

}  // namespace inferd

// The one error-propagation macro: evaluate an expression yielding Status and
// return it from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::inferd::Status inferd_status_ = (expr);          \
    if (!inferd_status_.ok()) return inferd_status_;   \
  } while (false)

// The same for an expression yielding Result<T>: on error return its Status,
// else bind the value: ASSIGN_OR_RETURN(Tensor tensor, Decode(bytes));
// `decl` may also be an existing variable (ASSIGN_OR_RETURN(tensor, ...)).
#define ASSIGN_OR_RETURN(decl, expr) \
  INFERD_ASSIGN_OR_RETURN_IMPL(INFERD_STATUS_CONCAT(inferd_result_, __LINE__), decl, expr)
#define INFERD_ASSIGN_OR_RETURN_IMPL(result, decl, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return result.status();              \
  decl = std::move(result).value()
#define INFERD_STATUS_CONCAT(a, b) INFERD_STATUS_CONCAT_INNER(a, b)
#define INFERD_STATUS_CONCAT_INNER(a, b) a##b
