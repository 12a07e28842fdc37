#include "cli/bench_replay.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>

#include "cli/bench_stats.h"
#include "core/error.h"
#include "engine/scheduler.h"

namespace qe::cli {
namespace {

using json = nlohmann::ordered_json;

// Proposes exactly the replayed answer's next tokens, so that every proposal is accepted. It
// reads the record being replayed through `current` (the bench runs one job at a time).
class OracleDrafter : public Drafter {
  public:
    explicit OracleDrafter(const ReplayTokens* const* current) : current_(current) {}

    std::vector<int> propose(std::span<const int> sequence, int max) override {
        const ReplayTokens& r = **current_;
        if (sequence.size() < r.prompt.size()) return {};
        const size_t done = sequence.size() - r.prompt.size();  // answer tokens so far
        const size_t end = std::min(r.answer.size(), done + size_t(std::max(max, 0)));
        if (done >= end) return {};
        return {r.answer.begin() + long(done), r.answer.begin() + long(end)};
    }

  private:
    const ReplayTokens* const* current_;
};

// The final event of one replayed answer of at most max_tokens tokens.
JobEvent replay_once(Scheduler& scheduler, const ReplayTokens& r, int max_tokens) {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    JobEvent final;
    JobRequest job;
    job.prompt = r.prompt;
    job.options.max_tokens = max_tokens;
    job.options.replay = r.answer;
    job.options.sampling.temperature = 0;
    job.options.loop_guard.enabled = false;  // a quoted list may repeat itself; replay it all
    job.on_event = [&](const JobEvent& ev) {
        if (!ev.done) return true;
        std::lock_guard lock(mu);
        final = ev;
        done = true;
        cv.notify_all();
        return true;
    };
    if (!scheduler.submit(std::move(job)))
        throw Error("bench: the scheduler refused the replay of " + r.name);
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done; });
    if (final.finish_reason != "length")
        throw Error("bench: the replay of " + r.name + " ended with \"" + final.finish_reason +
                    "\"" + (final.error.empty() ? "" : ": " + final.error));
    return final;
}

// Answer tokens per decode pass, over `answers` answers of `tokens` tokens in all: each answer's
// first token comes from its prompt's pass, the decode passes make the rest.
double tokens_per_pass(const ReplayModeFigures& m, int tokens, int answers) {
    return m.decode_passes > 0 ? double(tokens - answers) / m.decode_passes : 1.0;
}

}  // namespace

std::vector<ReplayMode> replay_modes(const ReplayOptions& o) {
    std::vector<ReplayMode> modes = {ReplayMode::kPlain, ReplayMode::kLookup};
    if (o.oracle) modes.push_back(ReplayMode::kOracle);
    return modes;
}

const char* replay_mode_name(ReplayMode mode) {
    switch (mode) {
        case ReplayMode::kPlain:
            return "plain";
        case ReplayMode::kLookup:
            return "lookup";
        case ReplayMode::kOracle:
            return "oracle";
    }
    return "";
}

ReplayFigures run_replay(Runtime& runtime, const std::vector<ReplayTokens>& records,
                         const ReplayOptions& o) {
    const std::vector<ReplayMode> modes = replay_modes(o);
    int longest = 0;
    for (const ReplayTokens& r : records) {
        if (r.answer.size() < 2)
            throw Error("bench: the answer of " + r.name + " has fewer than 2 tokens");
        longest = std::max(longest, int(r.prompt.size() + r.answer.size()));
    }

    // One scheduler per mode, each with a slot per record, so that every prompt stays in its
    // slot's cache and a run measures decoding alone. They share the runtime: the bench runs one
    // job at a time, so only one of them runs passes at any moment.
    const ReplayTokens* current = nullptr;
    std::vector<std::unique_ptr<Scheduler>> schedulers;
    for (ReplayMode mode : modes) {
        SchedulerOptions so;
        so.slots = int(records.size());
        so.max_queue = 0;
        so.n_ctx = longest + 8;
        so.speculative.enabled = mode != ReplayMode::kPlain;
        if (mode == ReplayMode::kOracle)
            so.speculative.drafter = [&current] {
                return std::make_unique<OracleDrafter>(&current);
            };
        schedulers.push_back(std::make_unique<Scheduler>(runtime, so));
        if (schedulers.back()->n_ctx() < longest)
            throw Error("bench: a record needs " + std::to_string(longest) +
                        " positions, more than the model's context (" +
                        std::to_string(schedulers.back()->n_ctx()) + ")");
    }

    ReplayFigures f;
    for (const ReplayTokens& r : records) {
        ReplayRecordFigures rf;
        rf.name = r.name;
        rf.prompt_tokens = int(r.prompt.size());
        rf.answer_tokens = int(r.answer.size());
        for (ReplayMode mode : modes) rf.modes.push_back({mode, {}, 0, 0, 0});
        f.records.push_back(rf);
    }
    for (ReplayMode mode : modes) f.all.push_back({mode, {}, 0, 0, 0});

    // Warm-up: each prompt into its slot of every scheduler.
    for (size_t m = 0; m < modes.size(); ++m)
        for (const ReplayTokens& r : records) {
            current = &r;
            replay_once(*schedulers[m], r, 1);
        }

    for (int rep = 0; rep < o.repetitions; ++rep) {
        std::vector<double> tokens(modes.size(), 0), ms(modes.size(), 0);
        for (size_t i = 0; i < records.size(); ++i) {
            current = &records[i];
            // The modes in a rotated order, so that none always runs first.
            for (size_t j = 0; j < modes.size(); ++j) {
                const size_t m = (j + size_t(rep) + i) % modes.size();
                const JobEvent ev =
                    replay_once(*schedulers[m], records[i], int(records[i].answer.size()));
                ReplayModeFigures& fig = f.records[i].modes[m];
                fig.tps.push_back(ev.decode_tokens_per_second);
                fig.draft_tokens = ev.draft_tokens;
                fig.draft_accepted = ev.draft_accepted;
                fig.decode_passes = ev.decode_passes;
                tokens[m] += ev.completion_tokens - 1;
                ms[m] += ev.decode_ms;
            }
        }
        for (size_t m = 0; m < modes.size(); ++m)
            f.all[m].tps.push_back(tokens[m] / (ms[m] / 1000));
    }
    for (size_t m = 0; m < modes.size(); ++m)
        for (const ReplayRecordFigures& rf : f.records) {
            f.all[m].draft_tokens += rf.modes[m].draft_tokens;
            f.all[m].draft_accepted += rf.modes[m].draft_accepted;
            f.all[m].decode_passes += rf.modes[m].decode_passes;
        }
    return f;
}

json replay_json(const ReplayFigures& f) {
    int answer_tokens = 0;
    for (const ReplayRecordFigures& rf : f.records) answer_tokens += rf.answer_tokens;
    const auto modes_json = [](const std::vector<ReplayModeFigures>& modes, int tokens,
                               int answers) {
        json out = json::object();
        for (const ReplayModeFigures& m : modes) {
            json one = {{"tps", median(m.tps)}, {"tps_runs", m.tps}};
            if (m.mode != ReplayMode::kPlain) {
                one["draft_tokens"] = m.draft_tokens;
                one["draft_accepted"] = m.draft_accepted;
                one["decode_passes"] = m.decode_passes;
                one["tokens_per_pass"] = tokens_per_pass(m, tokens, answers);
                one["speedup"] = median(m.tps) / median(modes[0].tps);
            }
            out[replay_mode_name(m.mode)] = one;
        }
        return out;
    };
    json records = json::array();
    for (const ReplayRecordFigures& rf : f.records)
        records.push_back({{"name", rf.name},
                           {"prompt_tokens", rf.prompt_tokens},
                           {"answer_tokens", rf.answer_tokens},
                           {"modes", modes_json(rf.modes, rf.answer_tokens, 1)}});
    return {{"records", records},
            {"all",
             {{"answer_tokens", answer_tokens},
              {"modes", modes_json(f.all, answer_tokens, int(f.records.size()))}}}};
}

void print_replay(const ReplayFigures& f, int repetitions) {
    if (f.records.empty()) return;
    const size_t n_modes = f.all.size();
    std::printf("replayed answers, decode tokens/s (median of %d), speculative against plain\n",
                repetitions);
    std::printf("  %-26s %6s %6s %8s", "record", "prompt", "answer", "plain");
    for (size_t m = 1; m < n_modes; ++m)
        std::printf(" %8s %6s %9s %9s", replay_mode_name(f.all[m].mode), "speed", "accept",
                    "tok/pass");
    std::printf("\n");
    auto row = [&](const std::string& name, int prompt, int answer, int answers,
                   const std::vector<ReplayModeFigures>& modes) {
        std::printf("  %-26.26s %6s %6d %8.1f", name.c_str(),
                    prompt >= 0 ? std::to_string(prompt).c_str() : "", answer,
                    median(modes[0].tps));
        for (size_t m = 1; m < modes.size(); ++m) {
            const ReplayModeFigures& s = modes[m];
            char accept[32];
            std::snprintf(accept, sizeof accept, "%d/%d", s.draft_accepted, s.draft_tokens);
            std::printf(" %8.1f %5.2fx %9s %9.2f", median(s.tps),
                        median(s.tps) / median(modes[0].tps), accept,
                        tokens_per_pass(s, answer, answers));
        }
        std::printf("\n");
    };
    int answer_tokens = 0;
    for (const ReplayRecordFigures& rf : f.records) {
        row(rf.name, rf.prompt_tokens, rf.answer_tokens, 1, rf.modes);
        answer_tokens += rf.answer_tokens;
    }
    row("all", -1, answer_tokens, int(f.records.size()), f.all);
}

}  // namespace qe::cli
