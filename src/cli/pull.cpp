// qwen-edge pull [NAME]: downloads a model (by its catalogue name, or any repository's file) into
// the models folder: resumable, verified, atomic.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "fetch/http_download.h"
#include "fetch/model_source.h"
#include "fetch/model_store.h"
#include "fetch/progress.h"
#include "fetch/sha256.h"

namespace qe::cli {
namespace {

namespace fs = std::filesystem;
using namespace qe::fetch;

struct PullOptions {
    std::string name;
    std::string quant;
    std::string source = "hf";
    std::string url;
    std::string sha256;
    std::string models_dir;
    int retries = 3;
    long stall_timeout_s = 30;
    bool force = false;
    bool quiet = false;
};

void notice(const std::string& message) {
    std::fprintf(stderr, "qwen-edge pull: %s\n", message.c_str());
}

// The file name at the end of a URL's path, without a query or fragment.
std::string file_name_of_url(const std::string& url) {
    std::string path = url.substr(0, url.find_first_of("?#"));
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What to download and how to check it.
struct Plan {
    std::string url;
    std::string file;  // name in the models folder
    std::vector<std::string> headers;
    std::string expected_sha256;
    std::string not_found_hint;
    std::string from;  // for the first message
};

Plan plan_download(const PullOptions& o) {
    Plan p;
    p.expected_sha256 = o.sha256;
    const Source source = parse_source(o.source);
    if (!o.url.empty()) {
        if (!o.quant.empty())
            throw Error("--quant picks an official file; it does not go with --url");
        p.url = o.url;
        p.file = o.name.empty() ? file_name_of_url(o.url) : o.name;
        p.from = url_host(o.url);
        p.not_found_hint = "check the URL";
    } else {
        const ModelSpec spec = resolve_model_name(o.name, o.quant);
        p.url = download_url(spec, source);
        p.file = fs::path(spec.file).filename().string();
        p.headers = source_headers(source);
        p.from = std::string(source_name(source)) + " (" + spec.repo + ")";
        if (spec.entry) {
            p.not_found_hint =
                "the official quantizations are " + spec.entry->quant_names() + " (--quant)";
        } else {
            p.not_found_hint = "check the repository and file name";
        }
        if (source == Source::kModelScope && p.expected_sha256.empty()) {
            // ModelScope states digests in its file listing, not in download headers.
            try {
                p.expected_sha256 = modelscope_sha256(
                    fetch_text(modelscope_listing_url(spec), p.headers), spec.file);
                if (p.expected_sha256.empty())
                    notice("ModelScope's listing has no SHA-256 for " + spec.file);
            } catch (const Error& e) {
                notice(std::string("cannot read ModelScope's file listing (") + e.what() +
                       "); the download is checked only against a --sha256 you give");
            }
        }
    }
    if (p.file.empty() || p.file.find('/') != std::string::npos || p.file[0] == '.' ||
        p.file.size() < 6 || p.file.compare(p.file.size() - 5, 5, ".gguf") != 0) {
        throw Error("cannot store '" + p.file +
                    "' as a model: the name must be a GGUF file name "
                    "(NAME.gguf); give one as the NAME argument");
    }
    return p;
}

int run_pull(const PullOptions& o) {
    const Plan plan = plan_download(o);
    const std::string dir = models_dir(o.models_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir + ": cannot create the models folder: " + ec.message());
    const std::string dest = (fs::path(dir) / plan.file).string();

    if (fs::exists(dest, ec) && !o.force) {
        if (!plan.expected_sha256.empty()) {
            const std::string have = sha256_of_file(dest);
            if (have != normalize_sha256(plan.expected_sha256)) {
                throw Error(dest + " is already there but its SHA-256 is " + have +
                            ", not the one expected; `qwen-edge pull --force` downloads it again");
            }
        }
        notice("already downloaded (--force downloads it again)");
        std::printf("%s\n", dest.c_str());
        return 0;
    }

    notice("downloading " + plan.file + " from " + plan.from);
    DownloadOptions d;
    d.headers = plan.headers;
    d.user_agent = std::string("qwen-edge/") + QE_VERSION;
    d.expected_sha256 = plan.expected_sha256;
    d.expect_gguf = true;
    d.retries = o.retries;
    d.stall_timeout_s = o.stall_timeout_s;
    d.not_found_hint = plan.not_found_hint;
    std::unique_ptr<ProgressReporter> progress;
    if (!o.quiet) {
        progress = std::make_unique<ProgressReporter>(
            stderr, ProgressReporter::stream_is_terminal(stderr), plan.file);
        d.on_progress = [&](uint64_t done, uint64_t total) { progress->update(done, total); };
    }
    d.on_notice = [&](const std::string& m) {
        if (progress) progress->interrupt();
        notice(m);
    };
    DownloadResult r;
    try {
        r = download_file(plan.url, dest, d);
    } catch (...) {
        if (progress) progress->interrupt();
        throw;
    }
    if (progress) progress->finish(r.bytes, r.bytes);
    if (r.verified) {
        write_sha256_file(dest, r.sha256);
        notice("SHA-256 verified: " + r.sha256);
    } else {
        fs::remove(dest + ".sha256", ec);
        notice("not verified: the server states no SHA-256 for this file. Its SHA-256 is " +
               r.sha256 + "; pass it as --sha256 to check later downloads");
    }
    std::printf("%s\n", dest.c_str());
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
                    "hf (Hugging Face, default; $HF_ENDPOINT picks a mirror) or modelscope")
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
    sub->add_flag("--quiet,-q", o->quiet, "no progress display");
    return [o] { return run_pull(*o); };
}

}  // namespace qe::cli
