// `qwen-edge bench --replay FILE`: speculative decoding measured on given answers. Each record's
// chat is rendered with the model's template and its answer replayed (GenerateOptions::replay):
// every answer token is the answer's next token instead of a sampled one, while the forward
// passes run as for a real answer and a proposal is accepted where it matches the answer, so the
// speed is the one a model writing that answer gets, at the acceptance that text gives.
//
// Modes, alternated run by run: plain decoding, speculative decoding with the scheduler's
// drafter (prompt lookup), and with --oracle a drafter that proposes exactly the answer's next
// tokens (every proposal accepted: the upper bound of speculative decoding on this machine).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/bench_replay_records.h"
#include "model/runtime.h"

namespace qe::cli {

enum class ReplayMode { kPlain, kLookup, kOracle };

struct ReplayOptions {
    int repetitions = 3;
    bool oracle = false;
};

struct ReplayModeFigures {
    ReplayMode mode = ReplayMode::kPlain;
    std::vector<double> tps;  // decode tokens/s of each repetition
    int draft_tokens = 0;     // of one run (the same every run: proposals are deterministic)
    int draft_accepted = 0;
    int decode_passes = 0;
};

struct ReplayRecordFigures {
    std::string name;
    int prompt_tokens = 0, answer_tokens = 0;
    std::vector<ReplayModeFigures> modes;  // in the order of replay_modes()
};

struct ReplayFigures {
    std::vector<ReplayRecordFigures> records;
    // Every record together: the answers' tokens over their decode time, per repetition.
    std::vector<ReplayModeFigures> all;
};

std::vector<ReplayMode> replay_modes(const ReplayOptions& o);
const char* replay_mode_name(ReplayMode mode);  // "plain", "lookup", "oracle"

// Replays every record in every mode, o.repetitions times after a warm-up that evaluates each
// prompt once per mode (later runs take it from the prefix cache: the figures are decoding's).
ReplayFigures run_replay(Runtime& runtime, const std::vector<ReplayTokens>& records,
                         const ReplayOptions& o);

nlohmann::ordered_json replay_json(const ReplayFigures& f);
void print_replay(const ReplayFigures& f, int repetitions);

}  // namespace qe::cli
