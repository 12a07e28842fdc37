// The prefix cache is exact: every turn of a conversation, evaluated by a scheduler that reuses
// the KV cache of the turns before, gives bit for bit the logits of a scheduler that computes the
// same prompt from nothing (same thread count, same chunk size). Also when rounds dropped from the
// front change the prefix, so only part of the cache may be reused.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "model/loaded_model.h"
#include "chat/context_window.h"
#include "chat/prompt_encoder.h"
#include "engine/scheduler.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// One job's answer tokens, the logits each was sampled from, and its final event.
struct Turn {
    std::vector<int> tokens;
    std::vector<std::vector<float>> logits;
    JobEvent final;
};

Turn run_job(Scheduler& scheduler, const std::vector<int>& prompt, int max_tokens) {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    Turn t;
    JobRequest job;
    job.prompt = prompt;
    job.options.max_tokens = max_tokens;
    job.options.sampling.temperature = 0;
    job.options.sampling.repetition_penalty = 1;
    job.options.loop_guard.enabled = false;
    job.on_logits = [&](std::span<const float> l) { t.logits.emplace_back(l.begin(), l.end()); };
    job.on_event = [&](const JobEvent& ev) {
        std::lock_guard lock(m);
        if (ev.done) {
            t.final = ev;
            done = true;
            cv.notify_all();
        } else {
            t.tokens.push_back(ev.token);
        }
        return true;
    };
    if (!scheduler.submit(std::move(job))) throw std::runtime_error("scheduler refused the job");
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
    return t;
}

SchedulerOptions one_slot(int prefill_chunk) {
    SchedulerOptions o;
    o.slots = 1;
    o.max_queue = 0;
    o.n_ctx = 1024;
    o.n_threads = 2;
    o.prefill_chunk = prefill_chunk;
    return o;
}

bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

struct Case {
    const char* file;
    int prefill_chunk;
};

class PrefixCache : public ::testing::TestWithParam<Case> {};

TEST_P(PrefixCache, CachedTurnsEqualRecomputingBitForBit) {
    const auto model = LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/" + GetParam().file);
    const auto options = one_slot(GetParam().prefill_chunk);
    Scheduler cached(model->config(), model->weights(), options);

    const std::vector<std::string> questions = {"你好，请介绍一下你自己。", "What is 2+2?",
                                                "再说一遍", "Tell me a story about a cat.", "谢谢"};
    json messages = json::array();
    std::vector<int> previous_prompt;
    for (size_t k = 0; k < questions.size(); ++k) {
        SCOPED_TRACE("turn " + std::to_string(k + 1));
        messages.push_back({{"role", "user"}, {"content", questions[k]}});
        json with_system = json::array({{{"role", "system"}, {"content", "Be brief."}}});
        for (const auto& m : messages) with_system.push_back(m);
        // Two earlier rounds at most: from turn 4 on the front of the prompt changes.
        EncodedPrompt encoded;
        const auto window = fit_context(with_system, 2, 900, [&](const json& m) {
            encoded = encode_conversation(model->formatter(), model->tokenizer(), m, nullptr, true);
            return int(encoded.ids.size());
        });
        const std::vector<int> prompt(encoded.ids.begin(), encoded.ids.end());

        const Turn with_cache = run_job(cached, prompt, 8);
        Scheduler fresh_scheduler(model->config(), model->weights(), options);
        const Turn fresh = run_job(fresh_scheduler, prompt, 8);

        // What the cache could serve: the prefix shared with the previous turn's prompt and answer.
        size_t shared = 0;
        while (shared < previous_prompt.size() && shared < prompt.size() &&
               previous_prompt[shared] == prompt[shared])
            ++shared;
        if (k == 0) {
            EXPECT_EQ(with_cache.final.cached_tokens, 0);
        }
        if (k > 0 && window.dropped_rounds == 0) {
            // The previous prompt and answer are a prefix of this prompt, and are not computed
            // again (but for an answer's last token, which was never fed back).
            EXPECT_EQ(shared, previous_prompt.size());
            EXPECT_GE(with_cache.final.cached_tokens, int(previous_prompt.size()) - 1);
        }
        if (window.dropped_rounds > 0) {
            // The earliest round is gone: only the system prompt's part may be reused.
            EXPECT_LT(shared, previous_prompt.size());
            EXPECT_GT(with_cache.final.cached_tokens, 0);
            EXPECT_LE(with_cache.final.cached_tokens, int(shared));
        }
        EXPECT_EQ(fresh.final.cached_tokens, 0);

        ASSERT_EQ(with_cache.tokens, fresh.tokens);
        ASSERT_EQ(with_cache.logits.size(), fresh.logits.size());
        ASSERT_FALSE(fresh.logits.empty());
        for (size_t i = 0; i < fresh.logits.size(); ++i)
            EXPECT_TRUE(bit_equal(with_cache.logits[i], fresh.logits[i])) << "answer token " << i;

        const std::string answer = model->tokenizer().decode(
            std::vector<int32_t>(with_cache.tokens.begin(), with_cache.tokens.end()), true);
        messages.push_back({{"role", "assistant"}, {"content", answer}});
        previous_prompt = prompt;
        previous_prompt.insert(previous_prompt.end(), with_cache.tokens.begin(),
                               with_cache.tokens.end());
    }
}

// Chunk 1: every position alone (the decode path); chunk 7: prefill chunks that start at
// different offsets in the cached and the fresh computation.
INSTANTIATE_TEST_SUITE_P(Golden, PrefixCache,
                         ::testing::Values(Case{"g448-q8_0.gguf", 7}, Case{"g448-q4_k_m.gguf", 7},
                                           Case{"g448-f16.gguf", 1}),
                         [](const auto& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find('.'));
                             for (char& c : name)
                                 if (c == '-') c = '_';
                             return name + "_chunk" + std::to_string(info.param.prefill_chunk);
                         });

}  // namespace
}  // namespace qe
