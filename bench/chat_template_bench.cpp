// Rendering conversations with the official Qwen2.5-Instruct chat template: a short chat, an
// agent turn with tools and tool calls, and a long history. Reports bytes of prompt per second.
//   build/bin/qe-template-bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "jinja/chat_template.h"

namespace qe {
namespace {

using nlohmann::ordered_json;

std::string qwen_template() {
    std::ifstream in(std::string(QE_SOURCE_DIR) + "/data/templates/qwen2.5-instruct.jinja");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ordered_json history(int messages, size_t chars) {
    ordered_json m = ordered_json::array();
    m.push_back({{"role", "system"}, {"content", "You are a helpful assistant."}});
    for (int i = 0; i < messages; ++i) {
        m.push_back({{"role", i % 2 ? "assistant" : "user"},
                     {"content", std::string(chars, i % 2 ? 'a' : 'u')}});
    }
    return m;
}

const ordered_json kTools = ordered_json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
   "parameters": {"type": "object", "properties": {"city": {"type": "string"},
   "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}},
  {"type": "function", "function": {"name": "search", "description": "Search the web",
   "parameters": {"type": "object", "properties": {"query": {"type": "string"},
   "limit": {"type": "integer", "default": 5}}, "required": ["query"]}}}])");

const ordered_json kAgentTurn = ordered_json::parse(R"([
  {"role": "user", "content": "What's the weather in Paris and Tokyo?"},
  {"role": "assistant", "content": null, "tool_calls": [
    {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
    {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}]},
  {"role": "tool", "content": "{\"temperature\": 21}"},
  {"role": "tool", "content": "{\"temperature\": 18}"},
  {"role": "assistant", "content": "Paris is at 21°C and Tokyo at 18°C."},
  {"role": "user", "content": "Thanks!"}])");

void render(benchmark::State& state, const ordered_json& messages, const ordered_json& tools) {
    const ChatTemplate tmpl(qwen_template());
    size_t bytes = 0;
    for (auto _ : state) {
        const std::string prompt = tmpl.render(messages, tools, true);
        bytes += prompt.size();
        benchmark::DoNotOptimize(prompt.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_ShortChat(benchmark::State& state) {
    render(state, history(3, 200), nullptr);
}
void BM_AgentTurnWithTools(benchmark::State& state) {
    render(state, kAgentTurn, kTools);
}
void BM_LongHistory(benchmark::State& state) {
    render(state, history(2000, 1024), nullptr);
}

BENCHMARK(BM_ShortChat);
BENCHMARK(BM_AgentTurnWithTools);
BENCHMARK(BM_LongHistory)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace qe

BENCHMARK_MAIN();
