// qwen-edge generate: continues a prompt, given as token ids or as text, and prints what the model
// generates as it comes.
#include <cstdio>
#include <future>
#include <optional>

#include "chat/chat_turns.h"
#include "cli/commands.h"
#include "cli/engine_options.h"
#include "core/error.h"
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
        bool no_speculative = false;
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
    cmd->add_flag("--no-speculative", args->no_speculative,
                  "decode one token per step (no speculative decoding; the output is the same)");

    return [args, ids, prompt]() {
        std::vector<int> prompt_ids;
        if (*ids) prompt_ids = parse_ids(args->ids);
        // Text needs the tokenizer; with --ids it only serves to print text, so a model without a
        // usable one still generates (ids only).
        LoadOptions load;
        load.tokenizer_optional = !*prompt;
        const auto model = open_model(args->engine.model_path, load);
        if (!model->has_tokenizer())
            std::fprintf(stderr, "no tokenizer (%s): printing token ids only\n",
                         model->tokenizer_error().c_str());

        SchedulerOptions so;
        so.slots = 1;
        so.max_queue = 0;
        so.n_ctx = args->engine.n_ctx;
        so.kv_type = args->engine.kv_dtype();
        so.n_threads = args->engine.n_threads;
        so.path = args->engine.path();
        so.speculative.enabled = !args->no_speculative;
        const auto scheduler = start_scheduler(*model, so);

        if (*prompt && args->raw) {
            const auto encoded = model->tokenizer().encode(args->prompt, SpecialTokens::kParse);
            prompt_ids.assign(encoded.begin(), encoded.end());
        } else if (*prompt) {
            nlohmann::ordered_json messages = nlohmann::ordered_json::array();
            if (!args->system.empty())
                messages.push_back({{"role", "system"}, {"content", args->system}});
            messages.push_back({{"role", "user"}, {"content", args->prompt}});
            const TurnPrompt chat = ChatTurns(*model, *scheduler).encode(messages, nullptr, {}, 0);
            if (!chat.warning.empty()) std::fprintf(stderr, "warning: %s\n", chat.warning.c_str());
            prompt_ids = chat.ids;
        }

        JobRequest job;
        job.prompt = prompt_ids;
        job.options.max_tokens = args->n_tokens;
        job.options.sampling.temperature = args->greedy ? 0.0f : args->temperature;
        if (args->greedy) job.options.sampling.repetition_penalty = 1.0f;
        job.options.sampling.seed = args->seed;
        job.options.stop_ids = model->stop_ids();

        std::optional<StreamDecoder> decoder;
        if (model->has_tokenizer()) decoder.emplace(model->tokenizer(), /*skip_control=*/false);
        std::vector<int> tokens;
        std::promise<JobEvent> finished;
        job.on_event = [&](const JobEvent& ev) {
            if (ev.done) {
                finished.set_value(ev);
                return true;
            }
            if (decoder) {
                std::fputs(decoder->push(ev.token).c_str(), stdout);
            } else {
                std::printf(tokens.empty() ? "%d" : ",%d", ev.token);
            }
            tokens.push_back(ev.token);
            std::fflush(stdout);
            return true;
        };
        if (!scheduler->submit(std::move(job))) throw Error("the engine is busy");
        const JobEvent r = finished.get_future().get();
        if (r.finish_reason == "error") throw Error(r.error);
        if (decoder) std::fputs(decoder->finish().c_str(), stdout);
        std::printf("\n");
        if (args->ids_out && decoder) {
            for (size_t i = 0; i < tokens.size(); ++i) std::printf(i ? ",%d" : "%d", tokens[i]);
            std::printf("\n");
        }
        const double decode_s = r.decode_ms / 1000.0;
        std::fprintf(stderr,
                     "prompt: %d tokens in %.3f s; generated %zu tokens in %.3f s (%.1f tok/s); "
                     "finish: %s; speculative: %d proposed, %d accepted, %d decode passes\n",
                     r.prompt_tokens, r.prefill_ms / 1000.0, tokens.size(), decode_s,
                     decode_s > 0 ? double(tokens.size()) / decode_s : 0.0, r.finish_reason.c_str(),
                     r.draft_tokens, r.draft_accepted, r.decode_passes);
        return 0;
    };
}

}  // namespace qe::cli
