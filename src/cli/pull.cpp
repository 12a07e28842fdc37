// qwen-edge pull [NAME]: downloads a model (by its catalogue name, or any repository's file) into
// the models folder: resumable, verified, atomic.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "fetch/model_pull.h"
#include "fetch/progress.h"

namespace qe::cli {
namespace {

namespace fs = std::filesystem;
using namespace qe::fetch;

struct PullOptions {
    std::string name;
    std::string quant;
    std::string source;
    std::string url;
    std::string sha256;
    std::string models_dir;
    int retries = 3;
    long stall_timeout_s = 30;
    bool force = false;
    bool no_verify = false;
    bool quiet = false;
};

void notice(const std::string& message) {
    std::fprintf(stderr, "qwen-edge pull: %s\n", message.c_str());
}

int run_pull(const PullOptions& o) {
    PullRequest request;
    request.name = o.name;
    request.quant = o.quant;
    request.url = o.url;
    request.sha256 = o.sha256;
    request.models_dir = o.models_dir;
    request.source = o.source.empty() ? source_from_environment()
                                      : std::optional<Source>(parse_source(o.source));
    request.allow_unverified = o.no_verify;
    request.force = o.force;
    request.retries = o.retries;
    request.stall_timeout_s = o.stall_timeout_s;
    request.user_agent = std::string("qwen-edge/") + QE_VERSION;
    std::unique_ptr<ProgressReporter> progress;
    if (!o.quiet) {
        progress = std::make_unique<ProgressReporter>(
            stderr, ProgressReporter::stream_is_terminal(stderr), pull_file_name(request));
        request.on_progress = [&](uint64_t done, uint64_t total) { progress->update(done, total); };
    }
    request.on_notice = [&](const std::string& m) {
        if (progress) progress->interrupt();
        notice(m);
    };
    PullResult r;
    try {
        r = pull_model(request);
    } catch (...) {
        if (progress) progress->interrupt();
        throw;
    }
    if (r.already_there) {
        notice("already downloaded (--force downloads it again)");
    } else {
        if (progress) progress->finish(fs::file_size(r.path), fs::file_size(r.path));
        if (r.verified) {
            notice("SHA-256 verified: " + r.sha256);
        } else {
            notice("not verified (--no-verify): no SHA-256 is known for this file. Its SHA-256 "
                   "is " + r.sha256 + "; pass it as --sha256 to check later downloads");
        }
    }
    std::printf("%s\n", r.path.c_str());
    return 0;
}

}  // namespace

Runner register_pull(CLI::App& app) {
    auto o = std::make_shared<PullOptions>();
    auto* sub = app.add_subcommand(
        "pull",
        "Download a model (default: Qwen2.5-0.5B-Instruct, Q8_0; or NAME, as `list` shows) into "
        "the models folder");
    sub->add_option("name", o->name,
                    "the model: empty for Qwen2.5-0.5B-Instruct, a name NAME[:SIZE][:QUANT] of "
                    "`qwen-edge list` (qwen3:0.6b, qwen2.5:1.5b:q4_k_m, qwen3-embedding:0.6b), or "
                    "OWNER/REPO:FILE.gguf; with --url, the file name to save as");
    sub->add_option("--quant", o->quant,
                    "a quantization the model's repository publishes (`qwen-edge list` shows "
                    "them); for Qwen2.5-0.5B-Instruct q8_0 (default), q4_0, q4_k_m, q5_0, "
                    "q5_k_m, q6_k, q3_k_m, q2_k, fp16");
    sub->add_option("--source", o->source,
                    "hf (Hugging Face; $HF_ENDPOINT picks a mirror) or modelscope (default: "
                    "$QWEN_EDGE_SOURCE, else Hugging Face, then ModelScope when that fails)")
        ->check(CLI::IsMember({"hf", "huggingface", "modelscope", "ms"}, CLI::ignore_case));
    sub->add_option("--url", o->url, "download this URL instead (http or https)");
    sub->add_option("--sha256", o->sha256, "the SHA-256 the file must have (64 hex digits)");
    sub->add_option("--models-dir", o->models_dir,
                    "models folder (default: $QWEN_EDGE_MODELS, else "
                    "$XDG_CACHE_HOME/qwen-edge/models, else ~/.cache/qwen-edge/models)");
    sub->add_option("--retries", o->retries, "attempts after a cut or stalled transfer")
        ->check(CLI::Range(0, 100));
    sub->add_option("--stall-timeout", o->stall_timeout_s,
                    "give up on a transfer below 1 kB/s for this many seconds")
        ->check(CLI::Range(1, 3600));
    sub->add_flag("--force", o->force, "download again even if the file is there");
    sub->add_flag("--no-verify", o->no_verify,
                  "accept a file no SHA-256 is known for (neither --sha256, nor the server, nor "
                  "the repository's file listing gives one)");
    sub->add_flag("--quiet,-q", o->quiet, "no progress display");
    return [o] { return run_pull(*o); };
}

}  // namespace qe::cli
