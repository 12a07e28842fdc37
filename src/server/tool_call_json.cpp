#include "server/tool_call_json.h"

#include <cstdio>
#include <random>

namespace qe {

using json = nlohmann::ordered_json;

std::string new_tool_call_id() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char hex[32];
    std::snprintf(hex, sizeof hex, "%016llx%08llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng() & 0xffffffffu));
    return std::string("call_") + hex;
}

json tool_call_json(const ToolCall& call, const std::string& id) {
    return {{"id", id},
            {"type", "function"},
            {"function", {{"name", call.name}, {"arguments", call.arguments}}}};
}

std::array<json, 2> tool_call_deltas(const ToolCall& call, const std::string& id, int index) {
    return {json{{"index", index},
                 {"id", id},
                 {"type", "function"},
                 {"function", {{"name", call.name}, {"arguments", ""}}}},
            json{{"index", index}, {"function", {{"arguments", call.arguments}}}}};
}

}  // namespace qe
