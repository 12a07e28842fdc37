// Batch invariance, the contract speculative and constrained decoding build on: a sequence's
// logits are the same, bit for bit, whether its tokens come one, three or eight per pass or all
// at once, and whatever other sequences share the pass; and a request's answer is the same alone
// or beside others in the scheduler. (The hybrid family's prompt runs of more than
// kMaxVerifyChunk positions take the chunked delta rule, which reorders float sums: there the
// passes of up to kMaxVerifyChunk positions are bit-identical; chunked_prefill_test compares all
// at once with them.) On every golden weight type, with the kernel table this CPU
// runs, with matrices both in the file's row layout and repacked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "kernels/kernels.h"
#include "model/loaded_model.h"
#include "model/runtime.h"
#include "support/kernel_tables.h"

namespace qe {
namespace {

const std::vector<int> kPrompt = {1,  17,  42, 99,   0,    5,  63, 17, 8,  77,  23, 42,
                                  11, 300, 7,  2000, 3000, 12, 64, 65, 66, 101, 9,  1000};

std::unique_ptr<LoadedModel> open_golden(const std::string& name) {
    return LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/" + name + ".gguf");
}

struct Case {
    std::string file;
    Isa isa;
    bool repacked;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.file << " " << isa_name(c.isa) << (c.repacked ? " repacked" : " rows");
}

// Every golden weight type (qwen2, qwen3 with its 128-wide heads, the hybrid qwen35 with its
// recurrent state) with every SIMD table this CPU can run; the scalar generic table (slow) on
// one float, one 32-block and one K-quant type.
std::vector<Case> all_cases() {
    std::vector<std::string> files;
    for (const char* type : {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k",
                             "q3_k_m", "q4_k_m", "q5_k_m", "q6_k"})
        files.push_back(std::string("g448-") + type);
    for (const char* type : {"f16", "q8_0", "q4_k_m", "q6_k"})
        files.push_back(std::string("q3-") + type);
    for (const char* type : {"f16", "q8_0", "q4_k_m"}) files.push_back(std::string("q35-") + type);
    const std::set<std::string> on_generic = {"g448-f32", "g448-q8_0", "g448-q4_k_m", "q3-f16"};
    std::vector<Case> cases;
    for (const std::string& file : files)
        for (Isa isa : test::forward_tables())
            if (isa != Isa::Generic || on_generic.count(file))
                for (bool repacked : {false, true}) cases.push_back({file, isa, repacked});
    return cases;
}

class BatchInvariance : public testing::TestWithParam<Case> {
  protected:
    void SetUp() override {
        model_ = open_golden(GetParam().file);
        runtime_ = make_runtime(GetParam().repacked);
    }

    std::unique_ptr<Runtime> make_runtime(bool repacked) const {
        RuntimeOptions o;
        o.n_threads = 2;
        o.max_batch = 16;  // the 24-token prompt takes two pieces when evaluated at once
        o.kernels = kernel_table(GetParam().isa);
        // Row layout: the background repacker is never started, so the matrices stay as in the
        // file; repacked: prepared eagerly in the table's own layout.
        o.repack_in_background = !repacked;
        return std::make_unique<Runtime>(model_->config(), model_->weights(), o);
    }

    // Every position's logits of kPrompt fed `step` tokens per pass, alone or with three other
    // sequences' tokens in the same passes.
    std::vector<float> logits_fed(size_t step, bool with_others) {
        return logits_fed(*runtime_, step, with_others);
    }
    std::vector<float> logits_fed(Runtime& runtime, size_t step, bool with_others) {
        ForwardModel& m = runtime.model();
        auto seq = m.new_sequence(64, DType::F16);
        std::vector<std::unique_ptr<SequenceState>> others;
        std::vector<std::vector<int>> other_ids;
        for (int i = 0; i < 3; ++i) {
            others.push_back(m.new_sequence(64, DType::F16));
            other_ids.push_back({int(5 + i), int(70 * i + 3),
                                 9,          int(100 + i),
                                 4,          4,
                                 8,          15,
                                 16,         23,
                                 42,         int(i),
                                 7,          7,
                                 7,          1,
                                 2,          3,
                                 4,          5,
                                 6,          7,
                                 8,          9});
        }
        const size_t vocab = size_t(model_->config().vocab_size);
        std::vector<float> out;
        std::vector<size_t> other_pos(others.size(), 0);
        for (size_t at = 0; at < kPrompt.size(); at += step) {
            const size_t n = std::min(step, kPrompt.size() - at);
            std::vector<SequenceChunk> chunks;
            // The other sequences go first (so the sequence under test sits at other rows), each
            // with its own number of tokens per pass.
            if (with_others)
                for (size_t i = 0; i < others.size(); ++i) {
                    const size_t k = std::min(n, 1 + i);
                    chunks.push_back({others[i].get(),
                                      std::span(other_ids[i]).subspan(other_pos[i], k),
                                      int(other_pos[i]), i == 1});
                    other_pos[i] += k;
                }
            chunks.push_back({seq.get(), std::span(kPrompt).subspan(at, n), int(at), true});
            const auto logits = m.forward(chunks);
            const auto mine = logits.last(n * vocab);
            out.insert(out.end(), mine.begin(), mine.end());
        }
        return out;
    }

    bool hybrid() const { return model_->config().full_attention_interval > 0; }
    // The logits every way of passing the tokens must give bit for bit: all at once, or for the
    // hybrid family kMaxVerifyChunk per pass (its longest run in the recurrent form).
    std::vector<float> bit_exact_reference(Runtime& runtime) {
        return logits_fed(runtime, hybrid() ? size_t(kMaxVerifyChunk) : kPrompt.size(), false);
    }

    std::unique_ptr<LoadedModel> model_;
    std::unique_ptr<Runtime> runtime_;
};

bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_P(BatchInvariance, LogitsDoNotDependOnHowTheTokensArePassed) {
    const auto whole = bit_exact_reference(*runtime_);
    for (size_t step : {1, 3, 8}) {
        EXPECT_TRUE(bit_equal(logits_fed(step, false), whole)) << step << " tokens per pass";
        EXPECT_TRUE(bit_equal(logits_fed(step, true), whole))
            << step << " tokens per pass, beside three other sequences";
    }
}

// The engine starts with the file's row layout and repacks in the background: an answer must
// not depend on when that ends.
TEST_P(BatchInvariance, RowAndRepackedLayoutsGiveTheSameLogits) {
    const auto other = make_runtime(!GetParam().repacked);
    EXPECT_TRUE(bit_equal(logits_fed(*other, 3, true), bit_exact_reference(*runtime_)));
    EXPECT_TRUE(
        bit_equal(logits_fed(*other, kPrompt.size(), false), logits_fed(kPrompt.size(), false)));
}

INSTANTIATE_TEST_SUITE_P(Types, BatchInvariance, testing::ValuesIn(all_cases()),
                         [](const auto& info) {
                             std::string name = info.param.file + "_" +
                                                std::string(isa_name(info.param.isa)) +
                                                (info.param.repacked ? "_repacked" : "_rows");
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

// One answer's tokens and the logits each was sampled from.
struct Answer {
    std::vector<int> tokens;
    std::vector<std::vector<float>> logits;
};

std::future<Answer> submit(Scheduler& s, std::vector<int> prompt, uint64_t seed) {
    auto answer = std::make_shared<Answer>();
    auto done = std::make_shared<std::promise<Answer>>();
    auto future = done->get_future();
    JobRequest job;
    job.prompt = std::move(prompt);
    job.options.max_tokens = 24;
    job.options.sampling.seed = seed;  // sampled, so the logits' every bit counts
    job.options.loop_guard.enabled = false;
    job.on_logits = [answer](std::span<const float> l) {
        answer->logits.emplace_back(l.begin(), l.end());
    };
    job.on_event = [answer, done](const JobEvent& ev) {
        if (ev.done) {
            done->set_value(*answer);
        } else {
            answer->tokens.push_back(ev.token);
        }
        return true;
    };
    if (!s.submit(std::move(job))) throw Error("the scheduler refused a job");
    return future;
}

class BatchInvarianceScheduler : public testing::TestWithParam<std::string> {};

TEST_P(BatchInvarianceScheduler, AnAnswerIsTheSameAloneOrBesideOthers) {
    const auto model = open_golden(GetParam());
    SchedulerOptions o;
    o.slots = 4;
    o.n_ctx = 128;
    o.n_threads = 2;
    o.prefill_chunk = 5;
    Scheduler alone_s(model->config(), model->weights(), o);
    const Answer alone = submit(alone_s, kPrompt, 11).get();

    Scheduler busy(model->config(), model->weights(), o);
    std::vector<std::future<Answer>> others;
    others.push_back(submit(busy, {3, 4, 5, 6, 7, 8, 9, 10, 11}, 1));
    others.push_back(submit(busy, {30, 31}, 2));
    auto beside = submit(busy, kPrompt, 11);
    others.push_back(submit(busy, std::vector<int>(40, 77), 3));
    const Answer got = beside.get();
    for (auto& f : others) f.get();

    EXPECT_EQ(got.tokens, alone.tokens);
    ASSERT_EQ(got.logits.size(), alone.logits.size());
    for (size_t i = 0; i < got.logits.size(); ++i)
        EXPECT_TRUE(bit_equal(got.logits[i], alone.logits[i])) << "token " << i;
}

INSTANTIATE_TEST_SUITE_P(Models, BatchInvarianceScheduler, testing::Values("g448-q8_0", "q35-f16"),
                         [](const auto& info) {
                             std::string n = info.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

}  // namespace
}  // namespace qe
