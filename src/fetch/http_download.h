// Downloads one large file over HTTP(S) with libcurl: follows redirects, resumes a previous
// partial download (PATH.part) with a Range request, retries a cut or stalled transfer, checks the
// SHA-256, and only then moves the file into place. Proxies come from the usual environment
// variables (http_proxy, https_proxy, no_proxy), which libcurl reads itself.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace qe::fetch {

struct DownloadOptions {
    std::vector<std::string> headers;  // extra request headers, "Name: value"
    std::string user_agent = "qwen-edge";
    // The digest the file must have. Empty: the one the server states (Hugging Face sends it as
    // X-Linked-Etag), else the one find_sha256 finds.
    std::string expected_sha256;
    // Asked once the whole file is in PATH.part when neither expected_sha256 nor the server's
    // headers gave a digest (a repository's API: fetch/digest_lookup.h); "" when it knows none.
    std::function<std::string()> find_sha256;
    // Accept a file no digest can be checked against (`--no-verify`). Otherwise such a file stays
    // in PATH.part, unused, and the call throws saying how to go on.
    bool allow_unverified = false;
    bool expect_gguf = false;    // refuse content that does not start with the GGUF magic
    int retries = 3;             // further attempts after a cut, stalled or 5xx transfer
    long retry_delay_ms = 1000;  // before the first retry; doubles each time, at most 30 s
    long connect_timeout_s = 30;
    long stall_timeout_s = 30;  // give up on a transfer slower than stall_bytes_per_s this long
    long stall_bytes_per_s = 1024;
    long max_redirects = 10;
    std::string not_found_hint;  // appended to the message for a 404
    // done/total in bytes of the whole file (total 0 while unknown); called about once a second
    // and after every chunk.
    std::function<void(uint64_t done, uint64_t total)> on_progress;
    std::function<void(const std::string& message)> on_notice;  // "resuming at ...", "retrying ..."
    // Polled during the transfer and between attempts: true stops the download (the part stays
    // for a resume) and the call throws.
    std::function<bool()> stop_requested;
    // Bytes free for the file in `dir`; statvfs when unset (tests replace it).
    std::function<uint64_t(const std::string& dir)> free_space;
};

struct DownloadResult {
    std::string path;       // where the file now is
    std::string sha256;     // its digest, 64 lowercase hex digits
    bool verified = false;  // the digest matched an expected one (given or from the server)
    uint64_t bytes = 0;
    uint64_t resumed_from = 0;  // bytes that were already in PATH.part when the call began
    std::string final_url;      // after redirects
    int attempts = 0;
    double seconds = 0;
};

// Downloads `url` to `path` (through `path`.part). Throws qe::Error with a message that says what
// went wrong, where, and what to do; the .part file is kept for a later resume unless its content
// is known to be wrong (digest mismatch, not a GGUF file), in which case it is removed.
DownloadResult download_file(const std::string& url, const std::string& path,
                             const DownloadOptions& options);

// GETs a small text resource (an API's JSON) into memory. Throws qe::Error on a network error, an
// HTTP status >= 400 or a body over `max_bytes`.
std::string fetch_text(const std::string& url, const std::vector<std::string>& headers,
                       size_t max_bytes = 8 << 20, long timeout_s = 60);

// The host[:port] part of a URL, for messages ("" when it does not parse).
std::string url_host(const std::string& url);

}  // namespace qe::fetch
