// tritonserver flags that inferd accepts without acting on them, so launch
// scripts written for Triton start inferd unchanged. Each one is logged as a
// warning that says why it has no effect; flags nobody knows stay errors.
#pragma once

#include <deque>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace inferd::app {

struct AcceptedTritonFlag {
  std::string name;
  const char* why = "";
  const char* harmless_value = nullptr;  // a value that needs no warning ("none" for --model-control-mode)
  std::vector<std::string> values;       // one per occurrence; "" for a bare flag
  CLI::Option* option = nullptr;
};

// Registers every accepted flag on `app` (hidden from --help's main list).
void AddAcceptedTritonFlags(CLI::App& app, std::deque<AcceptedTritonFlag>& flags);

// One warning line per flag given with a value that needs one.
std::vector<std::string> AcceptedTritonFlagWarnings(const std::deque<AcceptedTritonFlag>& flags);

}  // namespace inferd::app
