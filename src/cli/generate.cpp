// qwen-edge generate: continues a prompt, given as token ids or as text, and prints what the model
// generates as it comes.
#include <cstdio>
#include <optional>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "core/error.h"
#include "engine/generate.h"
#include "engine/prompt.h"
#include "model/tokenizer_load.h"
#include "tokenizer/stream_decoder.h"

namespace qe::cli {

Runner register_generate(CLI::App& app) {
    struct Args {
        EngineOptions engine;
        std::string ids;
        std::string prompt;
        std::string system;
        bool raw = false;
        int n_tokens = 128;
        bool greedy = false;
        bool ids_out = false;
        float temperature = SamplingParams{}.temperature;
        uint64_t seed = 0;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("generate", "continue a prompt");
    args->engine.add_to(*cmd);
    auto* source = cmd->add_option_group("prompt", "one of --ids or --prompt");
    auto* ids = source->add_option("--ids", args->ids, "the prompt as comma-separated token ids");
    auto* prompt = source->add_option("-p,--prompt", args->prompt,
                                      "the prompt as text: a user message, put in the model's chat "
                                      "template (see --raw)");
    source->require_option(1);
    cmd->add_flag("--raw", args->raw,
                  "use the --prompt text as it is, without the chat template (special-token "
                  "literals such as <|im_start|> become their tokens)")
        ->needs(prompt);
    cmd->add_option("--system", args->system, "a system message before the prompt")->needs(prompt);
    cmd->add_option("-n,--n-tokens", args->n_tokens, "tokens to generate at most")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--greedy", args->greedy, "always pick the most likely token");
    cmd->add_option("--temp", args->temperature, "sampling temperature")->capture_default_str();
    cmd->add_option("--seed", args->seed, "sampling seed")->capture_default_str();
    cmd->add_flag("--ids-out", args->ids_out, "also print the generated token ids, on a last line");

    return [args, ids, prompt]() {
        std::vector<int> prompt_ids;
        if (*ids) prompt_ids = parse_ids(args->ids);
        LoadedModel m = load_model(args->engine);
        const ModelFile& file = m.model->file();

        // Text needs the tokenizer; with --ids it only serves to print text, so a model without a
        // usable one still generates (ids only).
        std::optional<Tokenizer> tokenizer;
        try {
            tokenizer.emplace(load_tokenizer(file));
        } catch (const Error& e) {
            if (*prompt) throw;
            std::fprintf(stderr, "no tokenizer (%s): printing token ids only\n", e.what());
        }
        if (*prompt && args->raw) {
            const auto encoded = tokenizer->encode(args->prompt, SpecialTokens::kParse);
            prompt_ids.assign(encoded.begin(), encoded.end());
        } else if (*prompt) {
            const ChatPrompt chat = chat_prompt(file, *tokenizer, args->prompt, args->system);
            if (!chat.warning.empty()) std::fprintf(stderr, "warning: %s\n", chat.warning.c_str());
            prompt_ids = chat.ids;
        }

        GenerateOptions g;
        g.max_tokens = args->n_tokens;
        g.sampling.temperature = args->greedy ? 0.0f : args->temperature;
        if (args->greedy) g.sampling.repetition_penalty = 1.0f;
        g.sampling.seed = args->seed;
        if (tokenizer) {
            g.stop_ids = stop_token_ids(file, *tokenizer);
        } else if (m.model->config().eos_id >= 0) {
            g.stop_ids = {m.model->config().eos_id};
        }

        std::optional<StreamDecoder> decoder;
        if (tokenizer) decoder.emplace(*tokenizer, /*skip_control=*/false);
        bool first = true;
        const GenerateResult r = generate(*m.session, prompt_ids, g, [&](int token) {
            if (decoder) {
                std::fputs(decoder->push(token).c_str(), stdout);
            } else {
                std::printf(first ? "%d" : ",%d", token);
            }
            first = false;
            std::fflush(stdout);
            return true;
        });
        if (decoder) std::fputs(decoder->finish().c_str(), stdout);
        std::printf("\n");
        if (args->ids_out && decoder) {
            for (size_t i = 0; i < r.tokens.size(); ++i) std::printf(i ? ",%d" : "%d", r.tokens[i]);
            std::printf("\n");
        }
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
