// Speculative decoding in the scheduler, on every golden family: greedy answers are token for
// token the answers without it (prompt lookup on repetitive prompts, and a drafter that proposes
// the known answer with a wrong token at a moving offset, so that proposals are kept whole and
// rejected at every offset), with several jobs at once, under a JSON-schema constraint, and
// ending where the plain loop ends (max_tokens, a stop string, a stop id, the context, the loop
// guard) when that falls inside a verification chunk. Sampled answers are deterministic for a
// seed, and on a tiny model the first answer tokens have the same frequencies with and without
// speculation. The replay mode answers its list with the logits of real passes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "model/loaded_model.h"
#include "server/output_format.h"
#include "support/chi_square.h"
#include "support/memory_model.h"

namespace qe {
namespace {

using Ids = std::vector<int>;

Ids read_ids(const std::string& path) {
    std::ifstream in(path);
    Ids ids;
    std::string item;
    while (std::getline(in, item, ',')) ids.push_back(std::stoi(item));
    return ids;
}

struct Answer {
    Ids tokens;
    JobEvent final;
    std::vector<std::vector<float>> logits;  // when asked for
};

struct Submit {
    int stop_after = -1;  // the callback answers "stop" (a stop string) at this many tokens
    std::shared_ptr<TokenConstraint> constraint;
    bool keep_logits = false;
};

std::future<Answer> submit(Scheduler& s, Ids prompt, const GenerateOptions& o,
                           const Submit& how = {}) {
    auto answer = std::make_shared<Answer>();
    auto done = std::make_shared<std::promise<Answer>>();
    auto future = done->get_future();
    JobRequest r;
    r.prompt = std::move(prompt);
    r.options = o;
    r.constraint = how.constraint;
    const int stop_after = how.stop_after;
    r.on_event = [answer, done, stop_after](const JobEvent& ev) -> JobReply {
        if (ev.done) {
            answer->final = ev;
            done->set_value(*answer);
            return true;
        }
        answer->tokens.push_back(ev.token);
        if (stop_after > 0 && int(answer->tokens.size()) >= stop_after) return JobReply::stop();
        return true;
    };
    if (how.keep_logits)
        r.on_logits = [answer](std::span<const float> l) {
            answer->logits.emplace_back(l.begin(), l.end());
        };
    if (!s.submit(std::move(r))) throw std::runtime_error("the scheduler refused the job");
    return future;
}

GenerateOptions greedy(int max_tokens) {
    GenerateOptions o;
    o.max_tokens = max_tokens;
    o.sampling.temperature = 0;  // the default repetition penalty stays: history matters
    o.loop_guard.enabled = false;
    return o;
}

// Proposes what follows the sequence in one of the known answers (prompt + answer), with the
// proposal at offset `calls % (max + 1)` made wrong (none when that is `max`): over the steps,
// whole drafts are kept and drafts are rejected at every offset.
class ScriptDrafter : public Drafter {
  public:
    explicit ScriptDrafter(std::shared_ptr<const std::vector<Ids>> scripts)
        : scripts_(std::move(scripts)) {}

    std::vector<int> propose(std::span<const int> sequence, int max) override {
        for (const Ids& s : *scripts_) {
            if (s.size() <= sequence.size() ||
                !std::equal(sequence.begin(), sequence.end(), s.begin()))
                continue;
            const int wrong = calls_++ % (max + 1);
            Ids out;
            for (int j = 0; j < max && sequence.size() + size_t(j) < s.size(); ++j) {
                const int t = s[sequence.size() + size_t(j)];
                out.push_back(j == wrong ? (t + 1) % 3000 : t);
            }
            return out;
        }
        return {};
    }

  private:
    std::shared_ptr<const std::vector<Ids>> scripts_;
    int calls_ = 0;
};

DrafterFactory scripted(std::vector<Ids> scripts) {
    auto shared = std::make_shared<const std::vector<Ids>>(std::move(scripts));
    return [shared] { return std::make_unique<ScriptDrafter>(shared); };
}

Ids concat(Ids a, const Ids& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

class SpeculativeGolden : public testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        base_ = std::string(QE_GOLDEN_DIR) + "/" + GetParam();
        model_ = LoadedModel::open(base_ + ".gguf");
        chat_ = read_ids(base_ + ".chat.ids");
        const Ids random = read_ids(base_ + ".random.ids");
        repetitive_ = concat(concat(random, random), Ids(random.begin(), random.begin() + 20));
    }

    SchedulerOptions options(bool speculative, DrafterFactory drafter = {}, int n_ctx = 256) {
        SchedulerOptions o;
        o.slots = 3;
        o.n_ctx = n_ctx;
        o.n_threads = 2;
        o.prefill_chunk = 32;
        o.speculative.enabled = speculative;
        o.speculative.drafter = std::move(drafter);
        return o;
    }

    Answer run(const SchedulerOptions& so, const Ids& prompt, const GenerateOptions& o,
               const Submit& how = {}) {
        Scheduler s(model_->config(), model_->weights(), so);
        return submit(s, prompt, o, how).get();
    }

    std::string base_;
    std::unique_ptr<LoadedModel> model_;
    Ids chat_, repetitive_;
};

void expect_same(const Answer& plain, const Answer& spec, const std::string& what) {
    EXPECT_EQ(spec.tokens, plain.tokens) << what;
    EXPECT_EQ(spec.final.finish_reason, plain.final.finish_reason) << what;
    EXPECT_EQ(spec.final.completion_tokens, plain.final.completion_tokens) << what;
}

TEST_P(SpeculativeGolden, PromptLookupKeepsGreedyAnswers) {
    int drafted = 0;
    GenerateOptions o = greedy(96);
    o.sampling.repetition_penalty = 1.0f;  // random weights then loop: prompt lookup proposes
    for (const Ids& prompt : {chat_, repetitive_, concat(repetitive_, repetitive_)}) {
        const Answer plain = run(options(false), prompt, o);
        const Answer spec = run(options(true), prompt, o);
        expect_same(plain, spec, "prompt of " + std::to_string(prompt.size()));
        EXPECT_EQ(plain.final.draft_tokens, 0);
        EXPECT_EQ(plain.final.decode_passes, plain.final.completion_tokens - 1);
        drafted += spec.final.draft_tokens;
        EXPECT_EQ(spec.final.decode_passes + spec.final.draft_accepted,
                  spec.final.completion_tokens - 1);
    }
    EXPECT_GT(drafted, 0) << "prompt lookup never proposed: the test checks nothing";
}

TEST_P(SpeculativeGolden, ScriptedProposalsKeepGreedyAnswersOfJobsRunningTogether) {
    const std::vector<Ids> prompts = {chat_, repetitive_, Ids(chat_.begin() + 5, chat_.end()),
                                      Ids(repetitive_.begin() + 30, repetitive_.end())};
    std::vector<Answer> plain;
    std::vector<Ids> scripts;
    for (const Ids& p : prompts) {
        plain.push_back(run(options(false), p, greedy(40)));
        scripts.push_back(concat(p, plain.back().tokens));
    }
    Scheduler s(model_->config(), model_->weights(), options(true, scripted(scripts)));
    std::vector<std::future<Answer>> futures;
    for (const Ids& p : prompts) futures.push_back(submit(s, p, greedy(40)));
    int drafted = 0, accepted = 0, passes = 0;
    for (size_t i = 0; i < prompts.size(); ++i) {
        const Answer spec = futures[i].get();
        expect_same(plain[i], spec, "job " + std::to_string(i));
        drafted += spec.final.draft_tokens;
        accepted += spec.final.draft_accepted;
        passes += spec.final.decode_passes;
    }
    EXPECT_GT(accepted, 0);
    EXPECT_LT(accepted, drafted);
    s.drain();
    const SchedulerStats st = s.stats();
    EXPECT_EQ(st.draft_tokens, uint64_t(drafted));
    EXPECT_EQ(st.draft_accepted, uint64_t(accepted));
    EXPECT_EQ(st.decode_passes, uint64_t(passes));
}

TEST_P(SpeculativeGolden, AnswersEndWhereThePlainLoopEnds) {
    const Answer full = run(options(false), chat_, greedy(40));
    const auto drafter = scripted({concat(chat_, full.tokens)});
    // max_tokens and a stop string (the callback's "stop") inside a chunk.
    for (int n : {1, 2, 5, 11, 23}) {
        const Answer spec = run(options(true, drafter), chat_, greedy(n));
        EXPECT_EQ(spec.tokens, Ids(full.tokens.begin(), full.tokens.begin() + n)) << n;
        EXPECT_EQ(spec.final.finish_reason, "length") << n;
        const Answer stopped = run(options(true, drafter), chat_, greedy(40), {n});
        EXPECT_EQ(stopped.tokens, spec.tokens) << n;
        EXPECT_EQ(stopped.final.finish_reason, "stop") << n;
    }
    // A stop id: the last answer token not seen before it, in the first answer that has one
    // after its start (an answer of random weights may be one token repeated).
    int stop_checks = 0;
    for (const Ids& prompt : {chat_, repetitive_}) {
        const Answer plain = run(options(false), prompt, greedy(40));
        size_t at = plain.tokens.size() - 1;
        while (at > 0 && std::find(plain.tokens.begin(), plain.tokens.begin() + long(at),
                                   plain.tokens[at]) != plain.tokens.begin() + long(at))
            --at;
        if (at == 0) continue;
        GenerateOptions with_stop = greedy(40);
        with_stop.stop_ids = {plain.tokens[at]};
        const Answer stop_id =
            run(options(true, scripted({concat(prompt, plain.tokens)})), prompt, with_stop);
        EXPECT_EQ(stop_id.tokens, Ids(plain.tokens.begin(), plain.tokens.begin() + long(at)));
        EXPECT_EQ(stop_id.final.finish_reason, "stop");
        ++stop_checks;
        break;
    }
    EXPECT_EQ(stop_checks, 1) << "no answer to end with a stop id";
    // The context: room for 13 answer tokens, the last chunks cut to fit.
    const int n_ctx = int(chat_.size()) + 13;
    const Answer plain_ctx = run(options(false, {}, n_ctx), chat_, greedy(40));
    const Answer spec_ctx = run(options(true, drafter, n_ctx), chat_, greedy(40));
    expect_same(plain_ctx, spec_ctx, "context");
    EXPECT_EQ(spec_ctx.final.finish_reason, "context");
    // The loop guard on a repetitive prompt, whose answer prompt lookup proposes.
    GenerateOptions guarded = greedy(120);
    guarded.sampling.repetition_penalty = 1.0f;
    guarded.loop_guard = {true, 8, 3, 12};
    const Ids loop_prompt = concat(concat(Ids(chat_.begin(), chat_.begin() + 8), chat_),
                                   Ids(chat_.begin(), chat_.begin() + 8));
    const Answer plain_loop = run(options(false), loop_prompt, guarded);
    const Answer spec_loop = run(options(true), loop_prompt, guarded);
    expect_same(plain_loop, spec_loop, "loop guard");
    const Answer scripted_loop = run(
        options(true, scripted({concat(loop_prompt, plain_loop.tokens)})), loop_prompt, guarded);
    expect_same(plain_loop, scripted_loop, "loop guard, scripted");
    RecordProperty("loop_guard_finish", plain_loop.final.finish_reason);
}

TEST_P(SpeculativeGolden, ConstrainedGreedyAnswersAreKept) {
    grammar::MaskerCache cache{vocabulary_trie(model_->tokenizer())};
    OutputFormat f;
    f.kind = OutputFormat::Kind::kJsonSchema;
    f.schema = nlohmann::ordered_json::parse(
        R"({"type": "object", "properties": {"name": {"type": "string", "maxLength": 12},
            "n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string",
            "maxLength": 4}, "maxItems": 3}}, "required": ["name", "n", "tags"]})");
    const int end_id = model_->tokenizer().find_added("<|im_end|>");
    auto constraint = [&] { return output_constraint(f, cache, {end_id}, 60, -1); };
    GenerateOptions o = greedy(60);
    o.stop_ids = {end_id};
    const Answer plain = run(options(false), chat_, o, {-1, constraint()});
    const Answer lookup = run(options(true), chat_, o, {-1, constraint()});
    expect_same(plain, lookup, "prompt lookup");
    const Answer spec =
        run(options(true, scripted({concat(chat_, plain.tokens)})), chat_, o, {-1, constraint()});
    expect_same(plain, spec, "scripted");
    EXPECT_GT(spec.final.draft_accepted, 0);
    EXPECT_LT(spec.final.draft_accepted, spec.final.draft_tokens);
}

TEST_P(SpeculativeGolden, SampledAnswersAreDeterministicForASeed) {
    GenerateOptions o = greedy(40);
    o.sampling.temperature = 1.0f;
    o.sampling.top_k = 40;
    o.sampling.top_p = 0.95f;
    o.sampling.seed = 11;
    const Answer plain = run(options(false), repetitive_, o);
    EXPECT_EQ(run(options(false), repetitive_, o).tokens, plain.tokens);
    const auto drafter = scripted({concat(repetitive_, plain.tokens)});
    EXPECT_EQ(plain.final.finish_reason, "length");
    const Answer spec = run(options(true, drafter), repetitive_, o);
    EXPECT_EQ(spec.final.finish_reason, "length") << spec.final.error;
    EXPECT_GT(spec.final.draft_tokens, 0);
    EXPECT_EQ(run(options(true, drafter), repetitive_, o).tokens, spec.tokens);
    const Answer lookup = run(options(true), repetitive_, o);
    EXPECT_EQ(lookup.final.finish_reason, "length") << lookup.final.error;
    EXPECT_EQ(run(options(true), repetitive_, o).tokens, lookup.tokens);
}

TEST_P(SpeculativeGolden, ReplayAnswersItsListWithTheLogitsOfRealPasses) {
    // A list a model would hardly write: the prompt's own tokens, so prompt lookup proposes.
    GenerateOptions o = greedy(100);
    o.replay = Ids(repetitive_.begin() + 10, repetitive_.begin() + 40);
    const Answer plain = run(options(false), repetitive_, o, {-1, nullptr, true});
    const Answer spec = run(options(true), repetitive_, o, {-1, nullptr, true});
    EXPECT_EQ(plain.tokens, o.replay);
    EXPECT_EQ(spec.tokens, o.replay);
    EXPECT_EQ(spec.final.finish_reason, "length");
    EXPECT_GT(spec.final.draft_accepted, 0);
    EXPECT_LT(spec.final.decode_passes, plain.final.decode_passes);
    ASSERT_EQ(spec.logits.size(), plain.logits.size());
    for (size_t i = 0; i < plain.logits.size(); ++i)
        EXPECT_EQ(spec.logits[i], plain.logits[i]) << "answer token " << i;
}

// One file per family: qwen2 (g448, g896, g512), qwen3 (q3) and the hybrid qwen35 (q35, whose
// recurrent state is taken back into its verification chunks).
INSTANTIATE_TEST_SUITE_P(Models, SpeculativeGolden,
                         testing::Values("g448-q8_0", "g896-f16", "g512-q4_k_m", "q3-q4_k_m",
                                         "q35-f16", "q35-q4_k_m"),
                         [](const auto& info) {
                             std::string n = info.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

// The distribution of sampled answers: on a tiny model, the first answer tokens over many seeds
// have the same frequencies with speculation (a drafter that proposes the most frequent token of
// each answer position, so proposals are often kept and often rejected) as without. Two-sample
// chi-square per position at significance 0.001; QE_SPECULATIVE_SAMPLES sets the seeds per mode
// (default 1500) for a longer run by hand.
TEST(SpeculativeSampling, FirstTokensHaveThePlainFrequencies) {
    const char* env = std::getenv("QE_SPECULATIVE_SAMPLES");
    const int runs = env ? std::atoi(env) : 1500;
    constexpr int kTokens = 4;
    auto m = test::make_memory_model(21);
    const Ids prompt{3, 14, 15, 92, 65, 35, 89, 79, 32};
    GenerateOptions o;
    o.max_tokens = kTokens;
    o.sampling.temperature = 0.8f;
    o.sampling.top_k = 0;
    o.sampling.top_p = 0.9f;
    o.loop_guard.enabled = false;

    auto sample_all = [&](bool speculative, DrafterFactory drafter) {
        SchedulerOptions so;
        so.slots = 4;
        so.max_queue = runs;
        so.n_ctx = 32;
        so.n_threads = 1;
        so.speculative.enabled = speculative;
        so.speculative.drafter = std::move(drafter);
        Scheduler s(m->config, m->weights, so);
        std::vector<std::future<Answer>> futures;
        for (int i = 0; i < runs; ++i) {
            o.sampling.seed = uint64_t(1000 + i) + (speculative ? 1000000u : 0u);
            futures.push_back(submit(s, prompt, o));
        }
        std::vector<std::map<int, long>> counts(kTokens);
        int accepted = 0, drafted = 0;
        for (auto& f : futures) {
            const Answer a = f.get();
            for (size_t j = 0; j < a.tokens.size(); ++j) ++counts[j][a.tokens[j]];
            accepted += a.final.draft_accepted;
            drafted += a.final.draft_tokens;
        }
        return std::tuple{counts, accepted, drafted};
    };
    const auto [plain, plain_accepted, plain_drafted] = sample_all(false, {});
    EXPECT_EQ(plain_drafted, 0);
    // The drafter: at answer position j, the token plain decoding drew most often there.
    std::vector<int> mode(kTokens);
    for (int j = 0; j < kTokens; ++j)
        mode[size_t(j)] = std::max_element(plain[size_t(j)].begin(), plain[size_t(j)].end(),
                                           [](auto& a, auto& b) { return a.second < b.second; })
                              ->first;
    class ModeDrafter : public Drafter {
      public:
        ModeDrafter(std::vector<int> mode, size_t prompt)
            : mode_(std::move(mode)), prompt_(prompt) {}
        std::vector<int> propose(std::span<const int> sequence, int max) override {
            Ids out;
            for (size_t j = sequence.size() - prompt_; j < mode_.size() && int(out.size()) < max;
                 ++j)
                out.push_back(mode_[j]);
            return out;
        }

      private:
        std::vector<int> mode_;
        size_t prompt_;
    };
    const size_t prompt_size = prompt.size();
    const auto [spec, accepted, drafted] =
        sample_all(true, [&] { return std::make_unique<ModeDrafter>(mode, prompt_size); });
    EXPECT_GT(accepted, runs / 10) << "proposals were seldom kept: the test checks little";
    EXPECT_LT(accepted, drafted - runs / 10) << "proposals were seldom rejected";
    for (int j = 0; j < kTokens; ++j) {
        const test::ChiSquare c = test::two_sample(plain[size_t(j)], spec[size_t(j)]);
        EXPECT_TRUE(c.passes()) << "answer token " << j << ": chi-square " << c.statistic
                                << " with " << c.df << " degrees of freedom, critical "
                                << test::chi_square_critical(c.df);
    }
}

}  // namespace
}  // namespace qe
