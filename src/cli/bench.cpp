// qwen-edge bench: how fast a model runs on this machine. Prompt processing and generation
// tokens/s (mean ± sd over repetitions, after a warm-up), time to first token of a chat turn, load
// time, peak memory and the memory bandwidth generation achieves; with --turns, the time to first
// token of each turn of a conversation (the prefix cache at work); with --parallel, generation
// speed of several streams decoded together against one alone (batching at work); with --embed,
// embedding speed (texts of 64, 256 and 1024 tokens, batches of 8) for an embedding model.
// Speculative decoding has two modes of its own, each measured alone: --verify-curve (the cost
// of a pass over several tokens, bench_verify_curve.h) and --replay FILE (given answers decoded
// with and without speculation, bench_replay.h).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <random>

#include "chat/context_window.h"
#include "chat/prompt_encoder.h"
#include "cli/bench_replay.h"
#include "cli/bench_stats.h"
#include "cli/bench_verify_curve.h"
#include "cli/commands.h"
#include "cli/model_choice.h"
#include "core/error.h"
#include "engine/embedder.h"
#include "engine/scheduler.h"
#include "engine/session.h"
#include "model/loaded_model.h"
#include "model/runtime.h"
#include "sampling/sampler.h"

namespace qe::cli {
namespace {

using json = nlohmann::ordered_json;
using Clock = BenchClock;

struct BenchArgs {
    std::string model;
    int prompt_tokens = 512, gen_tokens = 128, threads = 0, reps = 5;
    int turns = 0, turn_answer = 48, rounds = 5;
    std::string thinking;  // the conversation's enable_thinking: "on", "off", "" = as the template
    int parallel = 0;
    int depth = 0;  // tokens already in the context when pp and tg are measured
    bool embed = false;
    bool json_out = false;
    bool verify_curve = false;  // only the verification curve (bench_verify_curve.h)
    VerifyCurveOptions curve;
    std::string replay;  // only the replay of this file's answers (bench_replay.h)
    bool oracle = false;
    int replay_tokens = 0;  // of each answer (0: all)
};

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

// Bytes one generated token reads: every weight once, except the embedding table, of which one
// row is read, unless it doubles as the output head (tied embeddings).
uint64_t bytes_per_token(const ModelFile& file) {
    uint64_t bytes = file.weight_bytes();
    const TensorView* embd = file.find("token_embd.weight");
    if (!embd) embd = file.find("model.embed_tokens.weight");
    const bool tied = !file.find("output.weight") && !file.find("lm_head.weight");
    if (embd && !tied) bytes -= embd->nbytes;
    return bytes;
}

// Questions of about 40 tokens each, for the chat-turn measurements.
const std::vector<std::string> kQuestions = {
    "I am planning a three day trip to Hangzhou in early spring with my parents, who do not like "
    "long walks. Which places should we visit, and how should we split them across the days?",
    "My tomato plants on the balcony have yellow leaves at the bottom and small brown spots on "
    "the fruit. What could be causing this, and what should I change in how I water them?",
    "Can you explain in simple words how a heat pump can move more heat into a house than the "
    "electricity it uses, and when in winter it stops being worth running one?",
    "I have two weeks to prepare a ten minute talk about our team's new search feature for the "
    "whole company. How should I structure it so that people who are not engineers follow?",
    "What are the main differences between learning to read Chinese characters and learning an "
    "alphabet, and what routine would you suggest for an adult with thirty minutes a day?",
};

// Time to first token of one chat turn on an empty context: the default system prompt and a
// question, rendered, tokenized, evaluated, and the first token sampled.
double chat_turn_ttft_ms(const LoadedModel& m, Session& session, const std::string& question,
                         int* prompt_tokens) {
    session.rewind(0);
    const auto start = Clock::now();
    const json messages = json::array({{{"role", "user"}, {"content", question}}});
    const auto prompt = encode_conversation(m.formatter(), m.tokenizer(), messages, nullptr, true);
    const std::vector<int> ids(prompt.ids.begin(), prompt.ids.end());
    Sampler sampler(m.sampling_defaults());
    const auto logits = session.eval(ids);
    sampler.sample(logits, ids);
    *prompt_tokens = int(ids.size());
    return ms_since(start);
}

struct TurnFigures {
    std::vector<std::vector<double>> ttft_ms;  // [turn][repetition]
    std::vector<int> prompt_tokens, cached_tokens;
};

// One conversation through the scheduler (as the chat and the server run it): each turn's time
// from the user's message to the first token of the answer.
void run_conversation(const LoadedModel& m, Runtime& runtime, const BenchArgs& a,
                      TurnFigures& out) {
    SchedulerOptions so;
    so.slots = 1;
    so.max_queue = 0;
    so.n_ctx = 4096;
    Scheduler scheduler(runtime, so);
    json messages = json::array();
    json variables = json::object();
    if (!a.thinking.empty()) variables["enable_thinking"] = a.thinking == "on";
    for (int turn = 0; turn < a.turns; ++turn) {
        messages.push_back(
            {{"role", "user"}, {"content", kQuestions[size_t(turn) % kQuestions.size()]}});
        std::mutex mu;
        std::condition_variable cv;
        bool done = false;
        double ttft = -1;
        std::vector<int32_t> answer;
        JobEvent final;

        const auto start = Clock::now();
        EncodedPrompt prompt;
        const auto window = fit_context(
            messages, a.rounds, scheduler.n_ctx() - a.turn_answer, [&](const json& msgs) {
                prompt = encode_conversation(m.formatter(), m.tokenizer(), msgs, nullptr, true,
                                             variables);
                return int(prompt.ids.size());
            });
        JobRequest job;
        job.prompt.assign(prompt.ids.begin(), prompt.ids.end());
        // As the chat layer does: the next turn resumes where this conversation ends.
        job.keep_at = conversation_end(m.formatter(), m.tokenizer(), window.messages, nullptr,
                                       job.prompt, variables);
        job.options.max_tokens = a.turn_answer;
        job.options.sampling.temperature = 0;
        job.options.loop_guard.enabled = false;  // answers of the same length every turn
        job.on_event = [&](const JobEvent& ev) {
            std::lock_guard lock(mu);
            if (!ev.done) {
                if (ttft < 0) ttft = ms_since(start);
                answer.push_back(ev.token);
            } else {
                final = ev;
                done = true;
                cv.notify_all();
            }
            return true;
        };
        if (!scheduler.submit(std::move(job))) throw Error("bench: the scheduler refused a turn");
        {
            std::unique_lock lock(mu);
            cv.wait(lock, [&] { return done; });
        }
        if (final.finish_reason == "error") throw Error("bench: " + final.error);
        if (out.ttft_ms.size() <= size_t(turn)) {
            out.ttft_ms.emplace_back();
            out.prompt_tokens.push_back(final.prompt_tokens);
            out.cached_tokens.push_back(final.cached_tokens);
        }
        out.ttft_ms[size_t(turn)].push_back(ttft);
        messages.push_back(
            {{"role", "assistant"}, {"content", m.tokenizer().decode(answer, true)}});
    }
}

// Generation speed of `streams` requests decoded together by the scheduler (as the server runs
// them): every stream's tokens over the wall time from submitting them all to the last one's end,
// each stream with its own 8-token prompt. Greedy, no stop token, no loop guard, so each stream
// makes exactly `tokens` tokens.
double streams_tps(Scheduler& scheduler, int streams, int tokens, int vocab) {
    std::mutex mu;
    std::condition_variable cv;
    int running = streams;
    std::string error;
    std::mt19937 rng(uint32_t(7 + streams));
    std::uniform_int_distribution<int> pick(0, vocab - 1);
    const auto start = Clock::now();
    for (int i = 0; i < streams; ++i) {
        JobRequest job;
        for (int t = 0; t < 8; ++t) job.prompt.push_back(pick(rng));
        job.options.max_tokens = tokens;
        job.options.sampling.temperature = 0;
        job.options.loop_guard.enabled = false;
        job.on_event = [&](const JobEvent& ev) {
            if (!ev.done) return true;
            std::lock_guard lock(mu);
            if (ev.finish_reason != "length" && error.empty())
                error = ev.finish_reason + " " + ev.error;
            if (--running == 0) cv.notify_all();
            return true;
        };
        if (!scheduler.submit(std::move(job))) throw Error("bench: the scheduler refused a stream");
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return running == 0; });
    if (!error.empty()) throw Error("bench: a stream ended early: " + error);
    return double(streams) * tokens / (ms_since(start) / 1000.0);
}

struct ParallelFigures {
    Stat one, many;  // tokens/s, all streams together
};

// One stream, then a.parallel streams at once, alternating, a.reps times each.
ParallelFigures run_parallel(const LoadedModel& m, Runtime& runtime, const BenchArgs& a) {
    SchedulerOptions so;
    so.slots = a.parallel;
    so.max_queue = 0;
    so.n_ctx = std::min(1024, m.config().context_length > 0 ? m.config().context_length : 1024);
    Scheduler scheduler(runtime, so);
    const int vocab = std::min(m.config().vocab_size, 150000);
    const int tokens = std::min(a.gen_tokens, so.n_ctx - 16);
    streams_tps(scheduler, a.parallel, std::min(tokens, 16), vocab);  // warm-up
    std::vector<double> one, many;
    for (int r = 0; r < a.reps; ++r) {
        one.push_back(streams_tps(scheduler, 1, tokens, vocab));
        many.push_back(streams_tps(scheduler, a.parallel, tokens, vocab));
    }
    return {stat(one), stat(many)};
}

struct EmbedFigures {
    int tokens = 0;  // per text
    Stat texts_per_second;
};

// Embeddings of batches of 8 texts of 64, 256 and 1024 random tokens (the end token appended as
// the model asks), a.reps times each after a warm-up, as texts per second.
std::vector<EmbedFigures> run_embeddings(const LoadedModel& m, Runtime& runtime,
                                         const BenchArgs& a) {
    EmbedderOptions o = embedder_options(m);
    const int context = m.config().context_length > 0 ? m.config().context_length : 1025;
    o.n_ctx = std::min(1025, context);
    Embedder embedder(runtime, o);
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> pick(0, std::min(m.config().vocab_size, 150000) - 1);
    std::vector<EmbedFigures> figures;
    for (int tokens : {64, 256, 1024}) {
        if (tokens + 1 > o.n_ctx) break;  // a model of a shorter context
        std::vector<std::vector<int>> texts(8, std::vector<int>(size_t(tokens)));
        for (auto& t : texts)
            for (int& id : t) id = pick(rng);
        embedder.embed(texts);  // warm-up
        std::vector<double> rates;
        for (int r = 0; r < a.reps; ++r) {
            const auto t = Clock::now();
            embedder.embed(texts);
            rates.push_back(double(texts.size()) / (ms_since(t) / 1000.0));
        }
        figures.push_back({tokens, stat(rates)});
    }
    return figures;
}

int bench(const BenchArgs& a) {
    // Load: open the file, read the tokenizer and template, prepare the matrices.
    auto start = Clock::now();
    auto m = LoadedModel::open(choose_model(a.model, false));
    // One runtime (the matrices prepared once, at full speed from the start) for every part.
    RuntimeOptions ro;
    ro.n_threads = a.threads;
    ro.weights_in_file_mapping = m->weights_in_file_mapping();
    Runtime runtime(m->config(), m->weights(), ro);
    if (a.verify_curve) {
        VerifyCurveOptions curve = a.curve;
        curve.repetitions = a.reps;
        const auto rows = measure_verify_curve(runtime, curve);
        if (a.json_out) {
            const json out = {{"model", m->id()},
                              {"threads", runtime.n_threads()},
                              {"repetitions", a.reps},
                              {"verify_curve", verify_curve_json(rows)}};
            std::printf("%s\n", out.dump().c_str());
        } else {
            std::printf("model       %s (%s)\n", m->id().c_str(), runtime.describe().c_str());
            print_verify_curve(rows, a.reps);
        }
        return 0;
    }
    if (!a.replay.empty()) {
        std::vector<ReplayTokens> records;
        for (const ReplayRecord& r : read_replay_records(a.replay)) {
            records.push_back(encode_replay(*m, r));
            auto& answer = records.back().answer;
            if (a.replay_tokens > 0 && int(answer.size()) > a.replay_tokens)
                answer.resize(size_t(a.replay_tokens));
        }
        const ReplayFigures f = run_replay(runtime, records, ReplayOptions{a.reps, a.oracle});
        if (a.json_out) {
            json out = {{"model", m->id()},
                        {"threads", runtime.n_threads()},
                        {"repetitions", a.reps},
                        {"file", a.replay}};
            out.update(replay_json(f));
            std::printf("%s\n", out.dump().c_str());
        } else {
            std::printf("model       %s (%s)\n", m->id().c_str(), runtime.describe().c_str());
            print_replay(f, a.reps);
        }
        return 0;
    }
    auto session = std::make_unique<Session>(
        runtime, std::max(a.depth + a.prompt_tokens + a.gen_tokens + 8, 1024));
    const double load_ms = ms_since(start);
    if (a.depth + a.prompt_tokens + a.gen_tokens + 1 > session->n_ctx())
        throw Error("bench: -d + -p + -n is larger than the model's context (" +
                    std::to_string(session->n_ctx()) + ")");

    // Token ids drawn from the ordinary vocabulary (the same every run).
    std::mt19937 rng(42);
    const int vocab = std::min(m->config().vocab_size, 150000);
    std::uniform_int_distribution<int> pick(0, vocab - 1);
    std::vector<int> pp_ids(size_t(a.prompt_tokens));
    for (int& id : pp_ids) id = pick(rng);

    // With --depth, the context already holds that many tokens when pp and tg are measured
    // (evaluated once; each run rewinds to them): the cost of attending to a long history.
    if (a.depth > 0) {
        std::vector<int> history(size_t(a.depth));
        for (int& id : history) id = pick(rng);
        session->rewind(0);
        session->eval(history);
    }

    auto run_pp = [&] {
        session->rewind(a.depth);
        const auto t = Clock::now();
        session->eval(pp_ids);
        return double(a.prompt_tokens) / (ms_since(t) / 1000.0);
    };
    auto run_tg = [&](int n) {
        session->rewind(a.depth);
        int token = pick(rng);
        const auto t = Clock::now();
        for (int i = 0; i < n; ++i) {
            const auto logits = session->eval({&token, 1});
            token = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
        }
        return double(n) / (ms_since(t) / 1000.0);
    };

    // Warm-up: page in the weights, fill the caches, start the threads.
    if (a.prompt_tokens > 0) run_pp();
    if (a.gen_tokens > 0) run_tg(std::min(a.gen_tokens, 16));

    std::vector<double> pp, tg, ttft;
    for (int r = 0; r < a.reps; ++r) {
        if (a.prompt_tokens > 0) pp.push_back(run_pp());
        if (a.gen_tokens > 0) tg.push_back(run_tg(a.gen_tokens));
    }
    int turn_tokens = 0;
    chat_turn_ttft_ms(*m, *session, kQuestions[0], &turn_tokens);  // warm-up
    for (int r = 0; r < a.reps; ++r)
        ttft.push_back(chat_turn_ttft_ms(*m, *session, kQuestions[0], &turn_tokens));
    const std::string session_text = session->describe();
    const double rss_mb = peak_rss_mb();
    session.reset();

    TurnFigures turns;
    for (int r = 0; r < (a.turns > 0 ? a.reps : 0); ++r) run_conversation(*m, runtime, a, turns);
    ParallelFigures par;
    if (a.parallel > 0 && a.gen_tokens > 0) par = run_parallel(*m, runtime, a);
    std::vector<EmbedFigures> embeddings;
    if (a.embed) embeddings = run_embeddings(*m, runtime, a);

    const Stat pp_s = stat(pp), tg_s = stat(tg), ttft_s = stat(ttft);
    const double gbps = double(bytes_per_token(m->file())) * tg_s.mean / 1e9;
    if (a.json_out) {
        json out = {{"model", m->id()},
                    {"threads", a.threads},
                    {"pp_tokens", a.prompt_tokens},
                    {"tg_tokens", a.gen_tokens},
                    {"depth", a.depth},
                    {"repetitions", a.reps},
                    {"pp_tps", pp_s.mean},
                    {"pp_tps_sd", pp_s.sd},
                    {"tg_tps", tg_s.mean},
                    {"tg_tps_sd", tg_s.sd},
                    {"ttft_ms", ttft_s.mean},
                    {"ttft_ms_sd", ttft_s.sd},
                    {"ttft_prompt_tokens", turn_tokens},
                    {"load_ms", load_ms},
                    {"rss_mb", rss_mb},
                    {"tg_gbps", gbps}};
        if (a.turns > 0) {
            json t = json::array();
            for (size_t i = 0; i < turns.ttft_ms.size(); ++i) {
                const Stat s = stat(turns.ttft_ms[i]);
                t.push_back({{"turn", i + 1},
                             {"prompt_tokens", turns.prompt_tokens[i]},
                             {"cached_tokens", turns.cached_tokens[i]},
                             {"ttft_ms", s.mean},
                             {"ttft_ms_sd", s.sd}});
            }
            out["turns"] = t;
        }
        if (a.parallel > 0 && a.gen_tokens > 0) {
            out["parallel_streams"] = a.parallel;
            out["parallel_tps"] = par.many.mean;
            out["parallel_tps_sd"] = par.many.sd;
            out["single_stream_tps"] = par.one.mean;
            out["single_stream_tps_sd"] = par.one.sd;
        }
        if (a.embed) {
            json e = json::array();
            for (const EmbedFigures& f : embeddings)
                e.push_back({{"tokens", f.tokens},
                             {"texts_per_second", f.texts_per_second.mean},
                             {"texts_per_second_sd", f.texts_per_second.sd},
                             {"tokens_per_second", f.texts_per_second.mean * f.tokens}});
            out["embeddings"] = e;
        }
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }
    std::printf("model       %s (%s, %.1f MiB of weights)\n", m->id().c_str(), session_text.c_str(),
                double(m->file().weight_bytes()) / (1 << 20));
    std::printf("load        %.0f ms\n", load_ms);
    if (a.depth > 0) std::printf("depth       %d tokens of context before pp and tg\n", a.depth);
    if (a.prompt_tokens > 0)
        std::printf("pp%-4d      %.1f ± %.1f tokens/s\n", a.prompt_tokens, pp_s.mean, pp_s.sd);
    if (a.gen_tokens > 0)
        std::printf("tg%-4d      %.1f ± %.1f tokens/s  (%.1f GB/s of weights read)\n", a.gen_tokens,
                    tg_s.mean, tg_s.sd, gbps);
    std::printf("chat turn   %.1f ± %.1f ms to the first token (%d prompt tokens)\n", ttft_s.mean,
                ttft_s.sd, turn_tokens);
    std::printf("peak RSS    %.0f MiB\n", rss_mb);
    if (a.parallel > 0 && a.gen_tokens > 0) {
        std::printf(
            "streams     %d at once: %.1f ± %.1f tokens/s in all; one alone: %.1f ± %.1f "
            "(%.2fx)\n",
            a.parallel, par.many.mean, par.many.sd, par.one.mean, par.one.sd,
            par.one.mean > 0 ? par.many.mean / par.one.mean : 0.0);
    }
    for (const EmbedFigures& f : embeddings)
        std::printf("embed%-6d %.1f ± %.1f texts/s (%.0f tokens/s), batches of 8\n", f.tokens,
                    f.texts_per_second.mean, f.texts_per_second.sd,
                    f.texts_per_second.mean * f.tokens);
    if (a.turns > 0) {
        std::printf(
            "conversation (%d earlier rounds kept, %d-token answers), first token per turn:\n",
            a.rounds, a.turn_answer);
        for (size_t i = 0; i < turns.ttft_ms.size(); ++i) {
            const Stat s = stat(turns.ttft_ms[i]);
            std::printf("  turn %zu    %6.1f ± %.1f ms  (prompt %d tokens, %d cached)\n", i + 1,
                        s.mean, s.sd, turns.prompt_tokens[i], turns.cached_tokens[i]);
        }
    }
    return 0;
}

}  // namespace

Runner register_bench(CLI::App& app) {
    auto a = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand(
        "bench", "Measure speed: prompt processing, generation, time to first token");
    cmd->add_option("-m,--model", a->model,
                    "Model: a .gguf file, a Hugging Face folder or a downloaded model's name "
                    "(qwen3:0.6b; default: the downloaded Qwen2.5-0.5B-Instruct)");
    cmd->add_option("-p,--prompt-tokens", a->prompt_tokens,
                    "Prompt length for prompt processing (0: skip)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 16));
    cmd->add_option("-n,--gen-tokens", a->gen_tokens,
                    "Tokens generated for generation speed (0: skip)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 16));
    cmd->add_option("-d,--depth", a->depth,
                    "Tokens already in the context when prompt processing and generation are "
                    "measured (as llama-bench -d)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 16));
    cmd->add_option("-t,--threads", a->threads, "Compute threads (0: one per core)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    cmd->add_option("-r,--repetitions", a->reps, "Repetitions of each measurement")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--turns", a->turns,
                    "Also time the first token of each turn of a conversation of this many turns")
        ->capture_default_str()
        ->check(CLI::Range(0, 100));
    cmd->add_option("--turn-answer", a->turn_answer, "Tokens of each answer in the conversation")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--rounds", a->rounds, "Earlier rounds kept in the conversation's context")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--thinking", a->thinking,
                    "The conversation's enable_thinking (default: as the chat template has it)")
        ->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--parallel", a->parallel,
                    "Also measure generation with this many streams decoded together by the "
                    "scheduler (as the server runs them), against one stream alone")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    cmd->add_flag("--embed", a->embed,
                  "Also measure embeddings (for an embedding model): texts of 64, 256 and 1024 "
                  "tokens, in batches of 8, per second");
    auto* verify_curve =
        cmd->add_flag("--verify-curve", a->verify_curve,
                      "Only time one forward pass over 1..8 tokens of a sequence (logits for each, "
                      "as speculative decoding's verification pass) at the --depths, against the "
                      "1-token pass");
    cmd->add_option("--depths", a->curve.depths,
                    "Context depths of --verify-curve, comma-separated")
        ->delimiter(',')
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 17));
    cmd->add_option("--verify-tokens", a->curve.max_tokens,
                    "Largest pass of --verify-curve, in tokens")
        ->capture_default_str()
        ->check(CLI::Range(1, kMaxVerifyChunk));
    auto* replay = cmd->add_option("--replay", a->replay,
                                   "Only replay the answers of this JSON-lines file (a chat and "
                                   "its answer per line) with speculative decoding and without, "
                                   "alternating")
                       ->check(CLI::ExistingFile)
                       ->excludes(verify_curve);
    cmd->add_flag("--oracle", a->oracle,
                  "With --replay, also with a drafter that proposes exactly the answer's next "
                  "tokens (every proposal accepted: the upper bound)")
        ->needs(replay);
    cmd->add_option("--replay-tokens", a->replay_tokens,
                    "With --replay, replay only this many tokens of each answer (0: all)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1 << 16))
        ->needs(replay);
    cmd->add_flag(
        "--json", a->json_out,
        "Print one JSON object: pp_tps, tg_tps, ttft_ms, load_ms, rss_mb, tg_gbps (and more)");
    return [a] { return bench(*a); };
}

}  // namespace qe::cli
