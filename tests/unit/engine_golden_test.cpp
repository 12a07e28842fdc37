// Conformance with an independent engine: for every model in the shared golden folder, the
// logits of its two token sequences (evaluated as one batch from position 0) against llama.cpp's,
// position by position, on the reference path and the fast path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "engine/session.h"
#include "model/loaded_model.h"
#include "model/model_file.h"
#include "support/expect_error.h"
#include "support/kernel_tables.h"
#include "support/logits_compare.h"

namespace qe {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> golden_models() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(QE_GOLDEN_DIR))
        if (e.path().extension() == ".gguf") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The architectures the engine runs. The golden folder may also hold families of others that
// the engine must refuse by name until it supports them: add an architecture here when it does,
// and its files join the logits comparison.
const std::vector<std::string> kSupportedArchitectures = {"qwen2", "qwen3", "qwen35"};

std::string architecture_of(const std::string& name) {
    return ModelFile::open(std::string(QE_GOLDEN_DIR) + "/" + name + ".gguf").config().architecture;
}

bool supported(const std::string& architecture) {
    return std::find(kSupportedArchitectures.begin(), kSupportedArchitectures.end(),
                     architecture) != kSupportedArchitectures.end();
}

// The golden models of the architectures the engine runs.
std::vector<std::string> comparable_models() {
    std::vector<std::string> names;
    for (const auto& name : golden_models())
        if (supported(architecture_of(name))) names.push_back(name);
    return names;
}

std::vector<int> read_ids(const std::string& path) {
    std::ifstream in(path);
    std::vector<int> ids;
    std::string item;
    while (std::getline(in, item, ',')) ids.push_back(std::stoi(item));
    return ids;
}

std::vector<float> read_logits(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    return v;
}

bool float_weights(const std::string& name) {
    for (const char* plain : {"-f32", "-f16", "-bf16"})
        if (name.ends_with(plain)) return true;
    return false;
}

// The thresholds of the golden README: cosine per position, argmax agreement overall (qwen2
// families: 80%; qwen3: 90% on float weights, 70% on quantized ones).
// (qwen35 quantized: 0.98, its DeltaNet layers amplify llama.cpp's rounding of activations.)
double min_cosine_for(const std::string& name) {
    if (float_weights(name)) return 0.9999;
    return name.starts_with("q35-") ? 0.98 : 0.998;
}
double min_argmax_agreement_for(const std::string& name) {
    if (name.starts_with("q3")) return float_weights(name) ? 0.9 : 0.7;
    return 0.8;
}

struct Param {
    std::string model;
    ForwardPath path;
    Isa isa = Isa::Generic;  // the fast path's kernels
};

void PrintTo(const Param& p, std::ostream* os) {
    *os << p.model
        << (p.path == ForwardPath::Fast ? " fast " + std::string(isa_name(p.isa)) : " reference");
}

class Golden : public testing::TestWithParam<Param> {};

TEST_P(Golden, LogitsMatchLlamaCpp) {
    const auto& [name, path, isa] = GetParam();
    const std::string base = std::string(QE_GOLDEN_DIR) + "/" + name;
    const auto model = LoadedModel::open(base + ".gguf");
    const size_t vocab = size_t(model->config().vocab_size);
    for (const char* sequence : {"chat", "random"}) {
        const auto ids = read_ids(base + "." + sequence + ".ids");
        const auto want = read_logits(base + "." + sequence + ".logits.f32");
        ASSERT_FALSE(ids.empty());
        ASSERT_EQ(want.size(), ids.size() * vocab) << sequence;

        SessionOptions options;
        options.path = path;
        options.kernels = kernel_table(isa);
        options.n_ctx = 128;
        Session session(model->config(), model->weights(), options);
        const auto got = session.eval(ids, LogitsFor::All);
        ASSERT_EQ(got.size(), want.size());

        double worst = 1;
        size_t agree = 0;
        for (size_t t = 0; t < ids.size(); ++t) {
            const std::span<const float> a = got.subspan(t * vocab, vocab);
            const std::span<const float> b(&want[t * vocab], vocab);
            const double cos = test::cosine(a, b);
            worst = std::min(worst, cos);
            EXPECT_GE(cos, min_cosine_for(name)) << sequence << " position " << t;
            agree += test::argmax(a) == test::argmax(b);
        }
        EXPECT_GE(double(agree), min_argmax_agreement_for(name) * double(ids.size())) << sequence;
        RecordProperty(std::string(sequence) + "_min_cosine", std::to_string(worst));
        RecordProperty(std::string(sequence) + "_argmax_agree",
                       std::to_string(agree) + "/" + std::to_string(ids.size()));
    }
}

std::vector<Param> all_params() {
    std::vector<Param> params;
    for (const auto& name : comparable_models()) {
        params.push_back({name, ForwardPath::Reference});
        for (Isa isa : test::forward_tables()) params.push_back({name, ForwardPath::Fast, isa});
    }
    return params;
}

INSTANTIATE_TEST_SUITE_P(Models, Golden, testing::ValuesIn(all_params()), [](const auto& info) {
    std::string n = info.param.model + (info.param.path == ForwardPath::Fast
                                            ? "_fast_" + std::string(isa_name(info.param.isa))
                                            : "_reference");
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
});

// 32 greedy tokens after the chat prompt, fast path against reference path, each stepping its
// own session. A differing token is accepted only at a near-tie of the reference's logits (the
// fast path's 8-bit activations may pick either), and ends the comparison.
class GoldenGreedy : public testing::TestWithParam<std::string> {};

TEST_P(GoldenGreedy, FastPathGeneratesTheReferenceTokens) {
    const std::string base = std::string(QE_GOLDEN_DIR) + "/" + GetParam();
    const auto model = LoadedModel::open(base + ".gguf");
    SessionOptions options;
    options.n_ctx = 96;
    options.path = ForwardPath::Reference;
    Session ref(model->config(), model->weights(), options);
    options.path = ForwardPath::Fast;
    Session fast(model->config(), model->weights(), options);

    const auto prompt = read_ids(base + ".chat.ids");
    auto ref_logits = ref.eval(prompt);
    auto fast_logits = fast.eval(prompt);
    int steps = 0;
    for (; steps < 32; ++steps) {
        const int want = int(test::argmax(ref_logits)), got = int(test::argmax(fast_logits));
        if (got != want) {
            EXPECT_TRUE(test::near_tie(ref_logits))
                << "step " << steps << ": " << got << " vs " << want;
            break;
        }
        ref_logits = ref.eval({&want, 1});
        fast_logits = fast.eval({&got, 1});
    }
    RecordProperty("equal_steps", steps);
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenGreedy,
                         testing::Values("g448-f32", "g448-bf16", "g448-q8_0", "g896-q4_0",
                                         "g512-q4_k_m"),
                         [](const auto& info) {
                             std::string n = info.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

// The hybrid family through the engine: 64 greedy tokens from the scheduler (fast path, the
// prompt in chunks of 5, other answers decoding beside it) equal the reference path's, stepped
// one token at a time in a session of its own. As in GoldenGreedy, a differing token is accepted
// only at a near-tie of the reference's logits (quantized activations may pick either).
class GoldenHybridEngine : public testing::TestWithParam<std::string> {};

TEST_P(GoldenHybridEngine, TheSchedulerGeneratesTheReferenceTokens) {
    const std::string base = std::string(QE_GOLDEN_DIR) + "/" + GetParam();
    const auto model = LoadedModel::open(base + ".gguf");
    const auto prompt = read_ids(base + ".chat.ids");
    constexpr int kTokens = 64;

    SessionOptions so;
    so.n_ctx = 160;
    so.path = ForwardPath::Reference;
    Session ref(model->config(), model->weights(), so);
    std::vector<int> want;
    std::vector<bool> tie;  // the reference's choice at each step was a near-tie
    auto logits = ref.eval(prompt);
    for (int i = 0; i < kTokens; ++i) {
        want.push_back(int(test::argmax(logits)));
        tie.push_back(test::near_tie(logits));
        logits = ref.eval({&want.back(), 1});
    }

    SchedulerOptions o;
    o.slots = 3;
    o.n_ctx = 160;
    o.n_threads = 2;
    o.prefill_chunk = 5;
    Scheduler scheduler(model->config(), model->weights(), o);
    auto run = [&](std::vector<int> ids, int max_tokens) {
        auto tokens = std::make_shared<std::vector<int>>();
        auto done = std::make_shared<std::promise<std::vector<int>>>();
        auto future = done->get_future();
        JobRequest job;
        job.prompt = std::move(ids);
        job.options.max_tokens = max_tokens;
        job.options.sampling.temperature = 0;
        job.options.loop_guard.enabled = false;
        job.on_event = [tokens, done](const JobEvent& ev) {
            if (ev.done)
                done->set_value(*tokens);
            else
                tokens->push_back(ev.token);
            return true;
        };
        EXPECT_TRUE(scheduler.submit(std::move(job)));
        return future;
    };
    auto other = run({5, 6, 7, 8, 9, 10, 11}, 40);
    auto got = run(prompt, kTokens);
    auto late = run(std::vector<int>(30, 77), 20);
    const std::vector<int> tokens = got.get();
    ASSERT_EQ(tokens.size(), want.size());
    size_t same = 0;
    while (same < want.size() && tokens[same] == want[same]) ++same;
    if (same < want.size()) {
        EXPECT_TRUE(tie[same]) << "step " << same;
    }
    RecordProperty("equal_steps", int(same));
    other.get();
    late.get();
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenHybridEngine, testing::Values("q35-f16", "q35-q4_k_m"),
                         [](const auto& info) {
                             std::string n = info.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

TEST(GoldenFolder, HoldsEveryFamily) {
    // Guards against a silently empty parameter list (a missing folder would test nothing).
    const auto names = golden_models();
    EXPECT_GE(names.size(), 29u);
    EXPECT_GE(comparable_models().size(), 22u);
    for (const char* family :
         {"g448-f32", "g448-bf16", "g896-q8_0", "g512-q6_k", "q3-f16", "q35-f16"})
        EXPECT_NE(std::find(names.begin(), names.end(), family), names.end()) << family;
}

// The golden files of architectures the engine does not run yet are refused with an error that
// names the file and the architecture, not a failure deep in the weights. When an architecture
// gains support, it moves from the list below to kSupportedArchitectures.
TEST(GoldenFolder, UnsupportedArchitecturesAreRefusedByName) {
    std::set<std::string> refused;
    for (const auto& name : golden_models()) {
        const std::string architecture = architecture_of(name);
        if (supported(architecture)) continue;
        SCOPED_TRACE(name);
        const std::string path = std::string(QE_GOLDEN_DIR) + "/" + name + ".gguf";
        const std::string refusal = "architecture '" + architecture + "' is not supported";
        EXPECT_TRUE(test::throws_error([&] { LoadedModel::open(path); }, {path, refusal}));
        refused.insert(architecture);
    }
    EXPECT_EQ(refused, (std::set<std::string>{}));
}

}  // namespace
}  // namespace qe
