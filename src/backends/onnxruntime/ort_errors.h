// ONNX Runtime reports failures by throwing Ort::Exception; inferd reports
// them as Status. Every call into ORT goes through GuardOrtCall so nothing
// throws out of this module.
#pragma once

#include <onnxruntime_cxx_api.h>

#include <exception>
#include <string_view>

#include "common/status.h"

namespace inferd::ort {

// "<subject>: <action>: <ORT message>" (subject: "model 'simple'"), with a
// code chosen from ORT's:
// a rejected argument (shape, type, missing input) is INVALID_ARGUMENT, a
// malformed model file INVALID_ARGUMENT, a missing file NOT_FOUND, anything
// else INTERNAL (the backend failed, not the caller).
Status StatusFromOrtException(const Ort::Exception& error, std::string_view subject, std::string_view action);
// Same shape of message for non-ORT exceptions (always INTERNAL).
Status StatusFromException(const char* what, std::string_view subject, std::string_view action);

// Runs `fn` (which returns Status) and turns any exception into a Status.
// `action` is a short phrase such as "running the session"; it is formatted
// only when something failed, so the hot path does no string work.
template <typename Fn>
Status GuardOrtCall(std::string_view subject, std::string_view action, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const Ort::Exception& error) {
    return StatusFromOrtException(error, subject, action);
  } catch (const std::exception& error) {
    return StatusFromException(error.what(), subject, action);
  } catch (...) {
    return StatusFromException("unknown exception", subject, action);
  }
}

}  // namespace inferd::ort
