#include "server/openai_request.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string_view>
#include <vector>

#include "server/request_fields.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

const json* field(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return nullptr;
    return &*it;
}

double number_in(const json& body, const char* name, double lo, double hi, double fallback) {
    const json* v = field(body, name);
    if (!v) return fallback;
    if (!v->is_number())
        api_fail(name, std::string("'") + name + "' must be a number", "invalid_type");
    const double x = v->get<double>();
    if (!(x >= lo && x <= hi))
        api_fail(name, std::string("'") + name + "' must be between " + std::to_string(lo) +
                           " and " + std::to_string(hi));
    return x;
}

std::optional<int64_t> integer_in(const json& body, const char* name, int64_t lo, int64_t hi) {
    const json* v = field(body, name);
    if (!v) return std::nullopt;
    const bool integral =
        v->is_number_integer() ||
        (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>());
    if (!integral) api_fail(name, std::string("'") + name + "' must be an integer", "invalid_type");
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (d < double(lo) || d > double(hi))
            api_fail(name, std::string("'") + name + "' is out of range");
        return int64_t(d);
    }
    if (v->is_number_unsigned()) {
        const uint64_t u = v->get<uint64_t>();
        if (u > uint64_t(hi))
            api_fail(name, std::string("'") + name + "' must be at most " + std::to_string(hi));
        return int64_t(u);
    }
    const int64_t x = v->get<int64_t>();
    if (x < lo || x > hi)
        api_fail(name, std::string("'") + name + "' must be between " + std::to_string(lo) +
                           " and " + std::to_string(hi));
    return x;
}

bool boolean(const json& body, const char* name, bool fallback) {
    const json* v = field(body, name);
    if (!v) return fallback;
    if (!v->is_boolean())
        api_fail(name, std::string("'") + name + "' must be true or false", "invalid_type");
    return v->get<bool>();
}

GenerationOptions parse_options(const json& body, const SamplingParams& defaults,
                                const RequestLimits& limits) {
    GenerationOptions o;
    if (const json* m = field(body, "model")) {
        if (!m->is_string()) api_fail("model", "'model' must be a string", "invalid_type");
        o.model = m->get<std::string>();
    }
    SamplingParams& s = o.sampling;
    s = defaults;
    s.temperature = float(number_in(body, "temperature", 0, 2, defaults.temperature));
    s.top_p = float(number_in(body, "top_p", 0, 1, defaults.top_p));
    if (s.top_p == 0) s.top_p = std::numeric_limits<float>::min();  // OpenAI allows 0: ~greedy
    s.min_p = float(number_in(body, "min_p", 0, 1, defaults.min_p));
    s.repetition_penalty =
        float(number_in(body, "repetition_penalty", 0.01, 10, defaults.repetition_penalty));
    s.presence_penalty =
        float(number_in(body, "presence_penalty", -2, 2, defaults.presence_penalty));
    s.frequency_penalty =
        float(number_in(body, "frequency_penalty", -2, 2, defaults.frequency_penalty));
    if (auto k = integer_in(body, "top_k", 0, 1 << 20)) s.top_k = int(*k);
    if (auto seed = integer_in(body, "seed", std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max()))
        s.seed = uint64_t(*seed);

    auto max_tokens = integer_in(body, "max_completion_tokens", 1, limits.max_tokens);
    if (!max_tokens) max_tokens = integer_in(body, "max_tokens", 1, limits.max_tokens);
    if (max_tokens) o.max_tokens = int(*max_tokens);
    o.format = parse_output_format(body);

    if (const json* stop = field(body, "stop")) {
        if (stop->is_string()) {
            o.stop.push_back(stop->get<std::string>());
        } else if (stop->is_array()) {
            if (stop->size() > limits.max_stop_strings)
                api_fail("stop", "'stop' may hold at most " +
                                     std::to_string(limits.max_stop_strings) + " strings");
            for (const auto& s1 : *stop) {
                if (!s1.is_string())
                    api_fail("stop", "'stop' must be a string or an array of strings",
                             "invalid_type");
                o.stop.push_back(s1.get<std::string>());
            }
        } else {
            api_fail("stop", "'stop' must be a string or an array of strings", "invalid_type");
        }
        for (const auto& s1 : o.stop) {
            if (s1.empty()) api_fail("stop", "stop strings must not be empty");
            if (s1.size() > limits.max_stop_length)
                api_fail("stop", "a stop string may be at most " +
                                     std::to_string(limits.max_stop_length) + " bytes");
        }
    }

    o.stream = boolean(body, "stream", false);
    if (const json* so = field(body, "stream_options")) {
        if (!so->is_object())
            api_fail("stream_options", "'stream_options' must be an object", "invalid_type");
        o.include_usage = boolean(*so, "include_usage", false);
    }
    if (auto n = integer_in(body, "n", 1, 128); n && *n != 1)
        api_fail("n", "only n = 1 is supported: ask several times for several answers",
                 "unsupported_value");
    if (const json* guard = field(body, "loop_guard")) {
        if (!guard->is_boolean())
            api_fail("loop_guard", "'loop_guard' must be true or false", "invalid_type");
        o.loop_guard.enabled = guard->get<bool>();
    }
    return o;
}

// A field this server does not do is refused, not ignored (request_fields.h): a client that asks
// for JSON output, log-probabilities or a forced tool call must not get a plain answer as if it
// had them. These fields are known, but only with a value that asks for nothing beyond the
// default.
struct DefaultOnly {
    std::string_view name;
    const char* default_value;  // for the error message
    bool (*is_default)(const json& v);
};

constexpr DefaultOnly kDefaultOnlyFields[] = {
    {"logit_bias", "{}", [](const json& v) { return v.is_object() && v.empty(); }},
    {"store", "false", [](const json& v) { return v == false; }},
    {"echo", "false", [](const json& v) { return v == false; }},
    {"best_of", "1", [](const json& v) { return v == 1; }},
    {"suffix", "\"\"", [](const json& v) { return v == ""; }},
};

// Fields of both endpoints: sampling, length, stop strings, streaming, and "user" (an end-user
// id for the caller's own records: it changes no answer).
constexpr std::string_view kCommonFields[] = {
    "model", "stream", "stream_options", "temperature", "top_p", "top_k", "min_p",
    "repetition_penalty", "presence_penalty", "frequency_penalty", "seed", "max_tokens", "stop",
    "n", "loop_guard", "user", "response_format", "grammar"};

// Refuses fields outside kCommonFields, `own` and `default_only` (names of kDefaultOnlyFields),
// and default-only fields with another value.
void check_fields(const json& body, std::initializer_list<std::string_view> own,
                  std::initializer_list<std::string_view> default_only, std::string_view what) {
    std::vector<std::string_view> known(std::begin(kCommonFields), std::end(kCommonFields));
    known.insert(known.end(), own.begin(), own.end());
    known.insert(known.end(), default_only.begin(), default_only.end());
    refuse_unknown_fields(body, known, what);
    for (const DefaultOnly& f : kDefaultOnlyFields) {
        const json* v = field(body, std::string(f.name).c_str());
        if (v && std::find(default_only.begin(), default_only.end(), f.name) != default_only.end() &&
            !f.is_default(*v))
            api_fail(std::string(f.name), "'" + std::string(f.name) + "' is supported only as " +
                                              f.default_value + " by this server",
                     "unsupported_value");
    }
}

// A message's fields; those OpenAI's own answers carry (and clients send back with the history)
// are accepted when they say nothing: a refusal, annotations or audio would be lost.
void check_message_fields(const json& m, const std::string& where) {
    for (const auto& [name, value] : m.items()) {
        if (name == "role" || name == "content" || name == "name" || name == "tool_calls" ||
            name == "tool_call_id" || name == "reasoning_content")
            continue;
        const bool empty = value.is_null() || ((value.is_array() || value.is_object() ||
                                                value.is_string()) && value.empty());
        if (!empty || (name != "refusal" && name != "annotations" && name != "audio" &&
                       name != "function_call"))
            api_fail(where + "." + name,
                     "'" + where + "." + name + "' is not a message field this server supports",
                     "unknown_parameter");
    }
}

// Content may be a string, null, or an array of parts of which only text parts are accepted.
std::string message_text(const json& content, size_t index) {
    const std::string where = "messages[" + std::to_string(index) + "].content";
    if (content.is_null()) return {};
    if (content.is_string()) return content.get<std::string>();
    if (!content.is_array())
        api_fail(where, "'" + where + "' must be a string or an array of text parts",
                 "invalid_type");
    std::string text;
    for (const auto& part : content) {
        if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
            !part["text"].is_string())
            api_fail(where,
                     "'" + where +
                         "' parts must be {\"type\": \"text\", \"text\": \"...\"} (this model "
                         "reads text only)",
                     "unsupported_value");
        text += part["text"].get<std::string>();
    }
    return text;
}

// chat_template_kwargs, enable_thinking and reasoning_format.
void parse_thinking(const json& body, ChatCompletionRequest& r) {
    if (const json* kwargs = field(body, "chat_template_kwargs")) {
        if (!kwargs->is_object())
            api_fail("chat_template_kwargs",
                     "'chat_template_kwargs' must be an object of template variables",
                     "invalid_type");
        for (const auto& [name, value] : kwargs->items()) {
            const std::string where = "chat_template_kwargs." + name;
            // The request's own parts of the template's input are not variables to replace.
            if (name == "messages" || name == "tools" || name == "add_generation_prompt")
                api_fail(where, "'" + where + "' is set by the request itself, not as a variable");
            if (name == "enable_thinking" && !value.is_boolean())
                api_fail(where, "'" + where + "' must be true or false", "invalid_type");
            r.template_variables[name] = value;
        }
        if (kwargs->contains("enable_thinking"))
            r.enable_thinking = (*kwargs)["enable_thinking"].get<bool>();
    }
    if (field(body, "enable_thinking")) {
        const bool on = boolean(body, "enable_thinking", true);
        if (r.enable_thinking && *r.enable_thinking != on)
            api_fail("enable_thinking",
                     "'enable_thinking' and 'chat_template_kwargs.enable_thinking' disagree");
        r.enable_thinking = on;
        r.template_variables["enable_thinking"] = on;
    }
    if (const json* format = field(body, "reasoning_format")) {
        const std::string name = format->is_string() ? format->get<std::string>() : "";
        if (name == "none")
            r.split_reasoning = false;
        else if (name != "auto" && name != "deepseek")
            api_fail("reasoning_format",
                     "'reasoning_format' must be \"auto\" or \"deepseek\" (the thinking in "
                     "reasoning_content) or \"none\" (the thinking left in content)",
                     format->is_string() ? "unsupported_value" : "invalid_type");
    }
}

}  // namespace

json parse_json_body(const std::string& body) {
    try {
        return json::parse(body);
    } catch (const json::parse_error& e) {
        api_fail("",
                 std::string("the request body is not valid JSON (at byte ") +
                     std::to_string(e.byte) + ")",
                 "invalid_json");
    } catch (const json::exception& e) {
        // Well-formed JSON the parser still refuses, e.g. a number too large for a double.
        api_fail("", std::string("the request body cannot be read as JSON: ") + e.what(),
                 "invalid_json");
    }
}

ChatCompletionRequest parse_chat_request(const json& body, const SamplingDefaults& defaults,
                                         const RequestLimits& limits) {
    if (!body.is_object()) api_fail("", "the request body must be a JSON object", "invalid_type");
    check_fields(body,
                 {"messages", "max_completion_tokens", "tools", "tool_choice",
                  "parallel_tool_calls", "logprobs", "top_logprobs", "chat_template_kwargs",
                  "enable_thinking", "reasoning_format", "max_rounds",
                  // read by the Api (knowledge_request.h: it needs the server's default base)
                  "knowledge"},
                 {"logit_bias", "store"}, "a chat completion request");
    ChatCompletionRequest r;
    parse_thinking(body, r);
    r.options = parse_options(
        body, r.enable_thinking.value_or(true) ? defaults.thinking : defaults.non_thinking, limits);

    const json* messages = field(body, "messages");
    if (!messages) api_fail("messages", "'messages' is required", "missing_required_parameter");
    if (!messages->is_array()) api_fail("messages", "'messages' must be an array", "invalid_type");
    if (messages->empty()) api_fail("messages", "'messages' must not be empty");
    if (messages->size() > limits.max_messages)
        api_fail("messages",
                 "at most " + std::to_string(limits.max_messages) + " messages per request");
    for (size_t i = 0; i < messages->size(); ++i) {
        const json& m = (*messages)[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        if (!m.is_object()) api_fail(where, "'" + where + "' must be an object", "invalid_type");
        check_message_fields(m, where);
        const json* role = field(m, "role");
        if (!role || !role->is_string())
            api_fail(where + ".role", "'" + where + ".role' must be a string", "invalid_type");
        std::string role_name = role->get<std::string>();
        if (role_name == "developer") role_name = "system";  // OpenAI's newer name for it
        if (role_name != "system" && role_name != "user" && role_name != "assistant" &&
            role_name != "tool")
            api_fail(where + ".role", "'" + where +
                                          ".role' must be system, user, assistant or tool, not '" +
                                          role_name + "'");
        json out = {{"role", role_name}, {"content", message_text(m.value("content", json()), i)}};
        if (const json* calls = field(m, "tool_calls")) {
            if (role_name != "assistant" || !calls->is_array())
                api_fail(where + ".tool_calls",
                         "'tool_calls' must be an array on an assistant message", "invalid_type");
            json converted = json::array();
            for (const auto& call : *calls) {
                json c = call;
                // The template prints arguments with tojson: decode OpenAI's JSON-in-a-string.
                if (c.is_object() && c.contains("function") && c["function"].is_object() &&
                    c["function"].contains("arguments") && c["function"]["arguments"].is_string()) {
                    const auto parsed =
                        json::parse(c["function"]["arguments"].get<std::string>(), nullptr, false);
                    if (!parsed.is_discarded()) c["function"]["arguments"] = parsed;
                }
                converted.push_back(std::move(c));
            }
            out["tool_calls"] = std::move(converted);
        }
        for (const char* key : {"name", "tool_call_id"})
            if (const json* v = field(m, key); v && v->is_string()) out[key] = *v;
        // The thinking of an earlier answer, as the Vercel AI SDK sends it back: templates that
        // keep it (Qwen3's, for the turn being answered) read message.reasoning_content.
        if (const json* thinking = field(m, "reasoning_content")) {
            if (role_name != "assistant" || !thinking->is_string())
                api_fail(where + ".reasoning_content",
                         "'reasoning_content' must be a string on an assistant message",
                         "invalid_type");
            out["reasoning_content"] = *thinking;
        }
        r.messages.push_back(std::move(out));
    }

    r.tools = parse_tool_request(body);
    const auto top = integer_in(body, "top_logprobs", 0, 20);
    if (boolean(body, "logprobs", false))
        r.options.top_logprobs = int(top.value_or(0));
    else if (top)
        api_fail("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    if (auto rounds = integer_in(body, "max_rounds", 0, 1 << 20)) r.max_rounds = int(*rounds);
    return r;
}

CompletionRequest parse_completion_request(const json& body, const SamplingParams& defaults,
                                           const RequestLimits& limits) {
    if (!body.is_object()) api_fail("", "the request body must be a JSON object", "invalid_type");
    check_fields(body, {"prompt", "logprobs"}, {"logit_bias", "echo", "best_of", "suffix"},
                 "a completion request");
    CompletionRequest r;
    r.options = parse_options(body, defaults, limits);
    // The legacy field: how many alternatives per token (0: the chosen token's only).
    if (const auto top = integer_in(body, "logprobs", 0, 5)) r.options.top_logprobs = int(*top);
    const json* prompt = field(body, "prompt");
    if (!prompt) api_fail("prompt", "'prompt' is required", "missing_required_parameter");
    if (prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string())
        prompt = &(*prompt)[0];
    if (!prompt->is_string())
        api_fail("prompt", "'prompt' must be a string (one prompt per request)", "invalid_type");
    r.prompt = prompt->get<std::string>();
    return r;
}

}  // namespace qe
