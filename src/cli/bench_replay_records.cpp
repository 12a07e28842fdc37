#include "cli/bench_replay_records.h"

#include <climits>
#include <fstream>

#include "chat/prompt_encoder.h"
#include "core/error.h"

namespace qe::cli {
namespace {

using json = nlohmann::ordered_json;

const json& field(const json& j, const char* key, json::value_t type, const char* type_name) {
    const auto it = j.find(key);
    if (it == j.end()) throw Error(std::string("no \"") + key + "\"");
    if (it->type() != type) throw Error(std::string("\"") + key + "\" must be " + type_name);
    return *it;
}

Passage parse_passage(const json& j, size_t index) {
    const std::string where = "passage " + std::to_string(index + 1) + ": ";
    if (!j.is_object()) throw Error(where + "must be an object");
    Passage p;
    for (const auto& [key, value] : j.items()) {
        if (key == "file" || key == "heading" || key == "text") {
            if (!value.is_string()) throw Error(where + "\"" + key + "\" must be a string");
            (key == "file" ? p.file : key == "heading" ? p.heading : p.text) = value;
        } else if (key == "page") {
            if (!value.is_number_integer()) throw Error(where + "\"page\" must be an integer");
            p.page = value.get<int>();
        } else {
            throw Error(where + "unknown field \"" + key + "\"");
        }
    }
    if (p.text.empty()) throw Error(where + "no \"text\"");
    return p;
}

}  // namespace

ReplayRecord parse_replay_record(const json& j) {
    if (!j.is_object()) throw Error("a record must be a JSON object");
    for (const auto& [key, value] : j.items())
        if (key != "name" && key != "messages" && key != "passages" && key != "answer")
            throw Error("unknown field \"" + key + "\"");
    ReplayRecord r;
    if (j.contains("name")) r.name = field(j, "name", json::value_t::string, "a string");
    r.messages = field(j, "messages", json::value_t::array, "an array");
    bool has_user = false;
    for (size_t i = 0; i < r.messages.size(); ++i) {
        const json& m = r.messages[i];
        const std::string where = "message " + std::to_string(i + 1) + ": ";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            throw Error(where + "must be an object with a string \"role\"");
        if (!m.contains("content") || !m["content"].is_string())
            throw Error(where + "must have a string \"content\"");
        has_user = has_user || m["role"] == "user";
    }
    if (!has_user) throw Error("\"messages\" has no user message");
    if (j.contains("passages")) {
        const json& ps = field(j, "passages", json::value_t::array, "an array");
        for (size_t i = 0; i < ps.size(); ++i) r.passages.push_back(parse_passage(ps[i], i));
    }
    r.answer = field(j, "answer", json::value_t::string, "a string");
    if (r.answer.empty()) throw Error("\"answer\" is empty");
    return r;
}

std::vector<ReplayRecord> read_replay_records(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read " + path);
    std::vector<ReplayRecord> records;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = path + " line " + std::to_string(number) + ": ";
        const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) throw Error(where + "not JSON");
        try {
            records.push_back(parse_replay_record(j));
        } catch (const Error& e) {
            throw Error(where + e.what());
        }
        if (records.back().name.empty()) records.back().name = "line " + std::to_string(number);
    }
    if (records.empty()) throw Error(path + " holds no record");
    return records;
}

ReplayTokens encode_replay(const LoadedModel& model, const ReplayRecord& record) {
    const Tokenizer& tokenizer = model.tokenizer();
    json messages = record.messages;
    if (!record.passages.empty()) {
        const auto count = [&](std::string_view text) {
            return int(tokenizer.encode(text, SpecialTokens::kAsText).size());
        };
        messages = add_passages(messages, record.passages, INT_MAX, count).messages;
    }
    const auto prompt = encode_conversation(model.formatter(), tokenizer, messages, nullptr, true);
    ReplayTokens out;
    out.name = record.name;
    out.prompt.assign(prompt.ids.begin(), prompt.ids.end());
    const auto answer = tokenizer.encode(record.answer, SpecialTokens::kAsText);
    out.answer.assign(answer.begin(), answer.end());
    return out;
}

}  // namespace qe::cli
