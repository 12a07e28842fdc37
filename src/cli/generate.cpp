// qwen-edge generate: continues a prompt given as token ids (or, with a tokenizer, as text) and
// prints what the model generates.
#include <cstdio>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "core/error.h"
#include "engine/generate.h"

namespace qe::cli {

Runner register_generate(CLI::App& app) {
    struct Args {
        EngineOptions engine;
        std::string ids;
        int n_tokens = 128;
        bool greedy = false;
        bool ids_out = false;
        float temperature = SamplingParams{}.temperature;
        uint64_t seed = 0;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("generate", "continue a prompt");
    args->engine.add_to(*cmd);
    cmd->add_option("--ids", args->ids, "the prompt as comma-separated token ids")->required();
    cmd->add_option("-n,--n-tokens", args->n_tokens, "tokens to generate at most")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--greedy", args->greedy, "always pick the most likely token");
    cmd->add_option("--temp", args->temperature, "sampling temperature")->capture_default_str();
    cmd->add_option("--seed", args->seed, "sampling seed")->capture_default_str();
    cmd->add_flag("--ids-out", args->ids_out, "print the generated token ids");

    return [args]() {
        const std::vector<int> prompt = parse_ids(args->ids);
        LoadedModel m = load_model(args->engine);
        const ModelConfig& c = m.model->config();

        GenerateOptions g;
        g.max_tokens = args->n_tokens;
        g.sampling.temperature = args->greedy ? 0.0f : args->temperature;
        if (args->greedy) g.sampling.repetition_penalty = 1.0f;
        g.sampling.seed = args->seed;
        if (c.eos_id >= 0) g.stop_ids.push_back(c.eos_id);

        bool first = true;
        const GenerateResult r = generate(*m.session, prompt, g, [&](int token) {
            std::printf(first ? "%d" : ",%d", token);
            std::fflush(stdout);
            first = false;
            return true;
        });
        std::printf("\n");
        (void)args->ids_out;
        std::fprintf(stderr,
                     "prompt: %d tokens in %.3f s; generated %zu tokens in %.3f s (%.1f tok/s); "
                     "finish: %s\n",
                     r.prompt_tokens, r.prefill_seconds, r.tokens.size(), r.decode_seconds,
                     r.decode_seconds > 0 ? double(r.tokens.size()) / r.decode_seconds : 0.0,
                     r.finish_reason.c_str());
        return 0;
    };
}

}  // namespace qe::cli
