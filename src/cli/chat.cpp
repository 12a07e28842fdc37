// qwen-edge chat: a conversation in the terminal, answers streamed as they are generated.
//
//   /reset or 重新开始   start over          /system TEXT   set the system prompt
//   /set NAME VALUE     temperature, top_p, top_k, min_p, repetition_penalty, max_tokens, rounds, seed
//   /think, /no_think   let the model think before answering, or not (models that can: Qwen3)
//   /stats              speed of the last answer     /help, /quit
// The thinking is shown dimmed (marked "思考:" when the output is not a terminal) and is not
// sent back with the conversation.
// Ctrl-C stops the answer being written; Ctrl-D leaves.
// With --kb NAME each question is answered from that knowledge base: its best passages go into
// the prompt (not into the kept conversation) and the sources are listed under the answer.
#include <editline/readline.h>
#include <langinfo.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <clocale>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <sstream>

#include "chat/chat_turns.h"
#include "cli/chat_knowledge.h"
#include "cli/commands.h"
#include "cli/engine_options.h"
#include "cli/model_choice.h"
#include "core/error.h"
#include "engine/scheduler.h"

namespace qe::cli {
namespace {

using json = nlohmann::ordered_json;

std::atomic<bool> g_interrupted{false};
void on_sigint(int) { g_interrupted = true; }

struct ChatArgs {
    std::string model;
    bool demo = false;
    std::string system;
    int ctx = 4096, threads = 0, max_tokens = 1024, rounds = 3;
    bool no_speculative = false;
    bool verbose = false;
    std::string kb;
    int kb_top_k = 5;
    KbModelArgs kb_models;
};

struct Settings {
    SamplingParams sampling;
    int max_tokens;
    int rounds;
    std::optional<bool> thinking;  // none: the chat template's default
};

struct LastStats {
    double ttft_ms = 0, tokens_per_second = 0;
    int prompt_tokens = 0, cached_tokens = 0, completion_tokens = 0;
    bool any = false;
};

bool is_reset(const std::string& line) { return line == "/reset" || line == "重新开始"; }

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

// "/set name value": changes one setting; returns a message for the user.
std::string apply_set(Settings& s, const std::string& args) {
    std::istringstream in(args);
    std::string name;
    double value;
    if (!(in >> name >> value)) return "usage: /set NAME VALUE (e.g. /set temperature 0.3)";
    Settings next = s;
    if (name == "temperature") next.sampling.temperature = float(value);
    else if (name == "top_p") next.sampling.top_p = float(value);
    else if (name == "top_k") next.sampling.top_k = int(value);
    else if (name == "min_p") next.sampling.min_p = float(value);
    else if (name == "repetition_penalty") next.sampling.repetition_penalty = float(value);
    else if (name == "seed") next.sampling.seed = uint64_t(value);
    else if (name == "max_tokens" && value >= 1) next.max_tokens = int(value);
    else if (name == "rounds" && value >= 0) next.rounds = int(value);
    else return "unknown setting or bad value: " + name;
    try {
        next.sampling.validate();
    } catch (const Error& e) {
        return e.what();
    }
    s = next;
    return name + " = " + std::to_string(value);
}

// libedit reads multibyte (Chinese) input only in a UTF-8 LC_CTYPE; under the C locale it drops
// those keys. Use the environment's locale, or C.UTF-8 when that one is not UTF-8.
void use_utf8_input() {
    const char* set = std::setlocale(LC_CTYPE, "");
    if (!set || std::string(nl_langinfo(CODESET)) != "UTF-8") std::setlocale(LC_CTYPE, "C.UTF-8");
}

int chat(const ChatArgs& a) {
    use_utf8_input();
    auto model = LoadedModel::open(choose_model(a.model, a.demo));
    if (a.demo) std::fprintf(stderr, "qwen-edge chat: DEMO model with random weights: its answers are noise\n");
    SchedulerOptions so;
    so.slots = 1;
    so.max_queue = 0;
    so.n_ctx = a.ctx;
    so.n_threads = a.threads;
    so.speculative.enabled = !a.no_speculative;
    const auto scheduler = start_scheduler(*model, so);
    ChatTurns turns(*model, *scheduler);
    std::unique_ptr<ChatKnowledge> knowledge;
    if (!a.kb.empty()) knowledge = std::make_unique<ChatKnowledge>(a.kb_models, a.kb, a.kb_top_k);

    struct sigaction sa {};
    sa.sa_handler = on_sigint;  // no SA_RESTART: Ctrl-C interrupts the prompt's read too
    sigaction(SIGINT, &sa, nullptr);

    Settings settings{model->sampling_defaults(), a.max_tokens, a.rounds, std::nullopt};
    json messages = json::array();
    std::string system = a.system;
    LastStats last;
    const bool tty = isatty(STDIN_FILENO);
    const bool color = isatty(STDOUT_FILENO);  // the thinking dimmed, else marked
    std::fprintf(stderr, "qwen-edge chat: %s, context %d tokens. /help for commands, Ctrl-D to leave.\n",
                 model->id().c_str(), turns.n_ctx());

    for (;;) {
        g_interrupted = false;
        char* raw = readline(tty ? "> " : "");
        if (!raw) {
            if (g_interrupted) {  // Ctrl-C at the prompt: a fresh line, not the end
                std::printf("\n");
                continue;
            }
            break;
        }
        std::string line = trim(raw);
        if (!line.empty() && tty) add_history(raw);
        std::free(raw);
        if (line.empty()) continue;

        if (is_reset(line)) {
            messages = json::array();
            std::printf("(new conversation)\n");
            continue;
        }
        if (line == "/quit" || line == "/exit") break;
        if (line == "/help") {
            std::printf("/reset or 重新开始: start over; /system TEXT: set the system prompt; "
                        "/set NAME VALUE: temperature, top_p, top_k, min_p, repetition_penalty, "
                        "max_tokens, rounds, seed; /think, /no_think: thinking on or off; "
                        "/stats: speed of the last answer; /quit\n");
            continue;
        }
        if (line == "/think" || line == "/no_think") {
            settings.thinking = line == "/think";
            settings.sampling = model->sampling_defaults(*settings.thinking);
            const SamplingParams& sp = settings.sampling;
            std::printf("(thinking %s; sampling: temperature %.2g, top_p %.2g, top_k %d)\n",
                        *settings.thinking ? "on" : "off", sp.temperature, sp.top_p, sp.top_k);
            continue;
        }
        if (line.starts_with("/system")) {
            system = trim(line.substr(7));
            std::printf("(system prompt %s)\n", system.empty() ? "reset to the model's default" : "set");
            continue;
        }
        if (line.starts_with("/set")) {
            std::printf("(%s)\n", apply_set(settings, line.substr(4)).c_str());
            continue;
        }
        if (line == "/stats") {
            if (!last.any) std::printf("(no answer yet)\n");
            else
                std::printf("(first token %.0f ms, %.1f tokens/s, prompt %d tokens of which %d cached, answer %d tokens)\n",
                            last.ttft_ms, last.tokens_per_second, last.prompt_tokens, last.cached_tokens,
                            last.completion_tokens);
            continue;
        }

        messages.push_back({{"role", "user"}, {"content", line}});
        json with_system = json::array();
        if (!system.empty()) with_system.push_back({{"role", "system"}, {"content", system}});
        for (const auto& m : messages) with_system.push_back(m);

        const int room = std::min(settings.max_tokens, turns.n_ctx() / 2);
        std::vector<Passage> cited;
        if (knowledge) cited = knowledge->add(with_system, model->tokenizer(), turns.n_ctx(), room);
        TurnPrompt prompt;
        try {
            json variables = json::object();
            if (settings.thinking) variables["enable_thinking"] = *settings.thinking;
            prompt = turns.encode(with_system, nullptr, settings.rounds, room, variables);
        } catch (const Error& e) {
            std::printf("(%s)\n", e.what());
            messages.erase(messages.end() - 1);
            continue;
        }
        if (prompt.dropped_rounds > 0)
            std::printf("(%d earlier round%s no longer in context)\n", prompt.dropped_rounds,
                        prompt.dropped_rounds == 1 ? " is" : "s are");
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        TurnEvent final;
        std::string answer;
        const auto start = std::chrono::steady_clock::now();
        double ttft = -1;
        TurnOptions options;
        options.generate.max_tokens = settings.max_tokens;
        options.generate.sampling = settings.sampling;
        options.generate.stop_ids = model->stop_ids();
        options.split_reasoning = true;
        bool thinking_shown = false, thinking_open = false;
        const auto on_event = [&](const TurnEvent& ev) {
            if (!ev.done && ttft < 0)
                ttft = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (!ev.reasoning.empty()) {
                if (!thinking_shown) std::fputs(color ? "\x1b[2m" : "思考: ", stdout);
                thinking_shown = thinking_open = true;
                std::fwrite(ev.reasoning.data(), 1, ev.reasoning.size(), stdout);
            }
            if (thinking_open && (!ev.text.empty() || ev.done)) {
                std::fputs(color ? "\x1b[0m\n" : "\n", stdout);
                thinking_open = false;
            }
            std::fwrite(ev.text.data(), 1, ev.text.size(), stdout);
            std::fflush(stdout);
            std::lock_guard lock(m);
            answer += ev.text;
            if (ev.done) {
                final = ev;
                done = true;
                cv.notify_all();
            }
            return !g_interrupted.load();
        };
        if (!turns.start(std::move(prompt), std::move(options), on_event))
            throw Error("the engine is busy");
        {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return done; });
        }
        std::printf("\n");
        if (knowledge) std::fputs(ChatKnowledge::sources(cited).c_str(), stdout);
        if (final.finish_reason == "cancelled") std::printf("(stopped)\n");
        else if (final.finish_reason == "length") std::printf("(answer cut at %d tokens: /set max_tokens N)\n", settings.max_tokens);
        else if (final.finish_reason == "repetition") std::printf("(stopped: the answer was repeating itself)\n");
        else if (final.finish_reason == "error") std::printf("(error: %s)\n", final.job.error.c_str());
        messages.push_back({{"role", "assistant"}, {"content", answer}});
        last = {ttft, final.job.decode_tokens_per_second, final.job.prompt_tokens,
                final.job.cached_tokens, final.job.completion_tokens, true};
        if (a.verbose)
            std::fprintf(stderr, "[first token %.0f ms, %.1f tokens/s, %d prompt tokens (%d cached)]\n", ttft,
                         final.job.decode_tokens_per_second, final.job.prompt_tokens,
                         final.job.cached_tokens);
    }
    std::printf("\n");
    return 0;
}

}  // namespace

Runner register_chat(CLI::App& app) {
    auto args = std::make_shared<ChatArgs>();
    auto* cmd = app.add_subcommand("chat", "Chat in the terminal");
    cmd->add_option("-m,--model", args->model, "Model: a .gguf file, a Hugging Face folder or a downloaded model's name (qwen3:0.6b, as `qwen-edge list` shows; default: the downloaded Qwen2.5-0.5B-Instruct)");
    cmd->add_flag("--demo", args->demo, "Make and use a model with random weights (answers are noise): for trying it out without a download");
    cmd->add_option("--system", args->system, "System prompt (default: the model's own)");
    cmd->add_option("-c,--ctx", args->ctx, "Context in tokens")->capture_default_str()->check(CLI::Range(16, 1 << 20));
    cmd->add_option("-t,--threads", args->threads, "Compute threads (0: one per core)")->capture_default_str();
    cmd->add_flag("--no-speculative", args->no_speculative, "Decode one token per step (no speculative decoding; the answers are the same)");
    cmd->add_option("-n,--max-tokens", args->max_tokens, "Longest answer in tokens")->capture_default_str()->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--rounds", args->rounds, "Earlier rounds kept in context")->capture_default_str()->check(CLI::Range(0, 1000));
    cmd->add_flag("-v,--verbose", args->verbose, "Print time to first token and tokens/s after each answer");
    cmd->add_option("--kb", args->kb, "Answer from this knowledge base (qwen-edge kb): its passages go into the prompt, the sources are listed under each answer");
    cmd->add_option("--kb-top-k", args->kb_top_k, "Passages searched per question")->capture_default_str()->check(CLI::Range(1, 20));
    args->kb_models.add_data_dir(*cmd);
    args->kb_models.add_embedding(*cmd);
    args->kb_models.add_rerank(*cmd);
    return [args] { return chat(*args); };
}

}  // namespace qe::cli
