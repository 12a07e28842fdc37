#include "fetch/model_pull.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "fetch/http_download.h"
#include "fetch/model_store.h"
#include "fetch/sha256.h"

namespace qe::fetch {
namespace {

namespace fs = std::filesystem;

// The file name at the end of a URL's path, without a query or fragment.
std::string file_name_of_url(const std::string& url) {
    std::string path = url.substr(0, url.find_first_of("?#"));
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void notify(const PullRequest& o, const std::string& message) {
    if (o.on_notice) o.on_notice(message);
}

// What to download from one source and how to check it.
struct Plan {
    std::string url;
    std::vector<std::string> headers;
    std::string not_found_hint;
    std::string from;                          // for messages
    std::function<std::string()> find_sha256;  // the repository's file listing, asked when needed
};

Plan plan_download(const PullRequest& o, Source source) {
    Plan p;
    if (!o.url.empty()) {
        p.url = o.url;
        p.from = url_host(o.url);
        p.not_found_hint = "check the URL";
        return p;
    }
    const ModelSpec spec = resolve_model_name(o.name, o.quant);
    p.url = download_url(spec, source);
    p.headers = source_headers(source);
    p.from = std::string(source_name(source)) + " (" + spec.repo + ")";
    p.not_found_hint =
        spec.entry ? "the official quantizations are " + spec.entry->quant_names() + " (--quant)"
                   : "check the repository and file name";
    // Hugging Face states a digest in the download's headers, ModelScope only in its listing;
    // either listing is read only when the headers gave none.
    const std::string listing = source == Source::kHuggingFace ? huggingface_listing_url(spec)
                                                               : modelscope_listing_url(spec);
    p.find_sha256 = [&o, source, spec, listing, headers = p.headers] {
        try {
            const std::string body = fetch_text(listing, headers);
            const std::string sha = source == Source::kHuggingFace
                                        ? huggingface_sha256(body, spec.file)
                                        : modelscope_sha256(body, spec.file);
            if (sha.empty())
                notify(o, std::string(source_name(source)) + "'s file listing has no SHA-256 for " +
                              spec.file);
            return sha;
        } catch (const Error& e) {
            notify(o, std::string("cannot read ") + source_name(source) + "'s file listing (" +
                          e.what() + ")");
            return std::string();
        }
    };
    return p;
}

PullResult download_from(const PullRequest& o, Source source, const std::string& dest) {
    const Plan plan = plan_download(o, source);
    notify(o, "downloading " + fs::path(dest).filename().string() + " from " + plan.from);
    DownloadOptions d;
    d.headers = plan.headers;
    d.user_agent = o.user_agent;
    d.expected_sha256 = o.sha256;
    d.find_sha256 = plan.find_sha256;
    d.allow_unverified = o.allow_unverified;
    d.expect_gguf = true;
    d.retries = o.retries;
    d.retry_delay_ms = o.retry_delay_ms;
    d.stall_timeout_s = o.stall_timeout_s;
    d.not_found_hint = plan.not_found_hint;
    d.on_progress = o.on_progress;
    d.on_notice = o.on_notice;
    d.stop_requested = o.stop_requested;
    const DownloadResult r = download_file(plan.url, dest, d);
    std::error_code ec;
    if (r.verified) {
        write_sha256_file(dest, r.sha256);
    } else {
        fs::remove(dest + ".sha256", ec);
    }
    PullResult out;
    out.path = dest;
    out.verified = r.verified;
    out.sha256 = r.sha256;
    return out;
}

}  // namespace

std::optional<Source> source_from_environment() {
    const char* v = std::getenv("QWEN_EDGE_SOURCE");
    if (!v || !*v) return std::nullopt;
    try {
        return parse_source(v);
    } catch (const Error& e) {
        throw Error(std::string("QWEN_EDGE_SOURCE: ") + e.what());
    }
}

std::string pull_file_name(const PullRequest& o) {
    std::string file;
    if (!o.url.empty()) {
        if (!o.quant.empty())
            throw Error("--quant picks an official file; it does not go with --url");
        file = o.name.empty() ? file_name_of_url(o.url) : o.name;
    } else {
        file = fs::path(resolve_model_name(o.name, o.quant).file).filename().string();
    }
    if (file.empty() || file.find('/') != std::string::npos || file[0] == '.' || file.size() < 6 ||
        file.compare(file.size() - 5, 5, ".gguf") != 0) {
        throw Error("cannot store '" + file +
                    "' as a model: the name must be a GGUF file name "
                    "(NAME.gguf); give one as the NAME argument");
    }
    return file;
}

PullResult pull_model(const PullRequest& o) {
    if (!o.sha256.empty() && normalize_sha256(o.sha256).empty())
        throw Error("--sha256 '" + o.sha256 + "' is not 64 hex digits");
    const std::string file = pull_file_name(o);
    const std::string dir = models_dir(o.models_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir + ": cannot create the models folder: " + ec.message());
    const std::string dest = (fs::path(dir) / file).string();

    if (fs::exists(dest, ec) && !o.force) {
        if (!o.sha256.empty()) {
            const std::string have = sha256_of_file(dest);
            if (have != normalize_sha256(o.sha256)) {
                throw Error(dest + " is already there but its SHA-256 is " + have +
                            ", not the one expected; `qwen-edge pull --force` downloads it again");
            }
        }
        PullResult r;
        r.path = dest;
        r.already_there = true;
        return r;
    }

    // A chosen source, a URL, or Hugging Face then ModelScope (the same file, so a part
    // downloaded from one resumes from the other; the digest check catches any difference).
    std::vector<Source> sources;
    if (o.source) {
        sources = {*o.source};
    } else if (!o.url.empty()) {
        sources = {Source::kHuggingFace};  // unused for a URL
    } else {
        sources = {Source::kHuggingFace, Source::kModelScope};
    }
    std::string earlier;
    for (size_t i = 0; i < sources.size(); ++i) {
        try {
            return download_from(o, sources[i], dest);
        } catch (const Error& e) {
            const bool stopped = o.stop_requested && o.stop_requested();
            if (stopped || i + 1 == sources.size()) throw Error(earlier + e.what());
            try {
                plan_download(o, sources[i + 1]);  // does the next source have this file?
            } catch (const Error&) {
                throw Error(e.what());
            }
            earlier = std::string(source_name(sources[i])) + " failed (" + e.what() + "); then " +
                      source_name(sources[i + 1]) + ": ";
            notify(o, std::string(source_name(sources[i])) + " failed (" + e.what() + "); trying " +
                          source_name(sources[i + 1]));
        }
    }
    throw Error("no source to download from");  // not reached: sources is never empty
}

}  // namespace qe::fetch
