#include "io/json_checked.h"

#include <set>
#include <vector>

#include "core/error.h"

namespace qe {

nlohmann::json parse_json_checked(std::string_view text, const std::string& name,
                                  uint64_t base_offset) {
    using json = nlohmann::json;
    // One set of keys per open object; the callback sees keys in order, so a repeat is found
    // while parsing. nlohmann's parser is iterative, so deep nesting cannot overflow the stack.
    std::vector<std::set<std::string>> open_objects;
    std::string duplicate;
    struct TooDeep {};
    auto on_event = [&](int depth, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                if (depth >= kJsonMaxDepth) throw TooDeep{};
                open_objects.emplace_back();
                break;
            case json::parse_event_t::array_start:
                if (depth >= kJsonMaxDepth) throw TooDeep{};
                break;
            case json::parse_event_t::object_end:
                if (!open_objects.empty()) open_objects.pop_back();
                break;
            case json::parse_event_t::key:
                if (!open_objects.empty() && duplicate.empty() &&
                    !open_objects.back().insert(parsed.get<std::string>()).second) {
                    duplicate = parsed.get<std::string>();
                }
                break;
            default:
                break;
        }
        return true;
    };
    json out;
    try {
        out = json::parse(text.begin(), text.end(), on_event);
    } catch (const TooDeep&) {
        throw Error(name + ": JSON is nested deeper than " + std::to_string(kJsonMaxDepth) +
                    " levels");
    } catch (const json::parse_error& e) {
        // e.byte is 1-based: the position of the offending character.
        const uint64_t at = base_offset + (e.byte > 0 ? e.byte - 1 : 0);
        std::string what = e.what();
        const auto colon = what.find("syntax error");
        if (colon != std::string::npos) what = what.substr(colon);
        throw Error(name + ": invalid JSON: " + what + " (at byte " + std::to_string(at) + ")");
    } catch (const json::exception& e) {
        // Well-formed JSON the parser still refuses, e.g. a number too large for a double.
        throw Error(name + ": JSON cannot be read: " + e.what());
    }
    if (!duplicate.empty()) throw Error(name + ": JSON has a duplicate key \"" + duplicate + "\"");
    return out;
}

}  // namespace qe
