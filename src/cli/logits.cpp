// qwen-edge logits: evaluates token ids as one batch from position 0 and writes the logits as
// float32 little-endian, [n_vocab] for the last position or [n_positions][n_vocab] with --all.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "core/error.h"
#include "engine/session.h"

namespace qe::cli {

Runner register_logits(CLI::App& app) {
    struct Args {
        EngineOptions engine;
        std::string ids;
        std::string out;
        bool all = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("logits", "write the logits of a token sequence to a file");
    args->engine.add_to(*cmd);
    cmd->add_option("--ids", args->ids, "comma-separated token ids, e.g. 1,2,3")->required();
    cmd->add_option("-o,--out", args->out, "output file (float32 little-endian)")->required();
    cmd->add_flag("--all", args->all, "every position's logits, not only the last");

    return [args]() {
        const std::vector<int> ids = parse_ids(args->ids);
        LoadOptions load;
        load.tokenizer_optional = true;  // ids in, logits out: the tokenizer is not needed
        const auto model = open_model(args->engine.model_path, load);
        SessionOptions so;
        so.path = args->engine.path();
        so.n_threads = args->engine.n_threads;
        so.n_ctx = args->engine.n_ctx;
        so.kv_type = args->engine.kv_dtype();
        so.weights_in_file_mapping = model->weights_in_file_mapping();
        Session session(model->config(), model->weights(), so);
        std::fprintf(stderr, "%s\n", session.describe().c_str());
        const auto logits = session.eval(ids, args->all ? LogitsFor::All : LogitsFor::Last);

        FILE* f = std::fopen(args->out.c_str(), "wb");
        if (!f) throw Error(args->out + ": cannot write: " + std::strerror(errno));
        const bool ok =
            std::fwrite(logits.data(), sizeof(float), logits.size(), f) == logits.size();
        if (std::fclose(f) != 0 || !ok) throw Error(args->out + ": write failed");
        std::fprintf(stderr, "wrote %zu x %d logits to %s\n",
                     logits.size() / size_t(model->config().vocab_size),
                     model->config().vocab_size, args->out.c_str());
        return 0;
    };
}

}  // namespace qe::cli
