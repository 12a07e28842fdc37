#include "fetch/http_download.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/error.h"
#include "fetch/progress.h"
#include "fetch/sha256.h"
#include "io/atomic_file.h"

namespace qe::fetch {

namespace {

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using SlistPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

CurlPtr new_handle() {
    init_curl_once();
    CurlPtr h(curl_easy_init(), &curl_easy_cleanup);
    if (!h) throw Error("libcurl could not start (out of memory?)");
    return h;
}

SlistPtr make_headers(const std::vector<std::string>& headers) {
    curl_slist* list = nullptr;
    for (const auto& h : headers) {
        curl_slist* next = curl_slist_append(list, h.c_str());
        if (!next) {
            curl_slist_free_all(list);
            throw Error("libcurl: out of memory for request headers");
        }
        list = next;
    }
    return SlistPtr(list, &curl_slist_free_all);
}

// Settings every request shares: HTTP(S) only (also after a redirect), redirects followed, no
// compression (a Range must address the file's own bytes), no signals (thread-safe timeouts).
void set_common(CURL* h, const std::string& url, const std::string& user_agent, long max_redirects,
                long connect_timeout_s, char* error_buffer) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, max_redirects);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    error_buffer[0] = '\0';
}

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::optional<uint64_t> parse_u64(const std::string& s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + uint64_t(c - '0');
    }
    return v;
}

// "bytes START-END/TOTAL" or "bytes */TOTAL" (TOTAL may be "*").
struct ContentRange {
    std::optional<uint64_t> start, total;
};

ContentRange parse_content_range(const std::string& value) {
    ContentRange r;
    std::string v = trim(value);
    if (lower(v.substr(0, 6)) != "bytes ") return r;
    v = trim(v.substr(6));
    const auto slash = v.find('/');
    if (slash == std::string::npos) return r;
    r.total = parse_u64(v.substr(slash + 1));
    const std::string span = v.substr(0, slash);
    const auto dash = span.find('-');
    if (dash != std::string::npos) r.start = parse_u64(span.substr(0, dash));
    return r;
}

std::string describe_errno(int err) {
    switch (err) {
        case ENOSPC:
            return "no space left on the disk";
        case EDQUOT:
            return "the disk quota is used up";
        case EFBIG:
            return "the file is larger than this system or user may write (file size limit)";
        default:
            return std::strerror(err);
    }
}

uint64_t statvfs_free(const std::string& dir) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) return UINT64_MAX;  // unknown: do not block
    return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

std::string folder_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// One file being downloaded into PATH.part: the open descriptor (locked against a second
// downloader), how many bytes it holds and their running digest.
class PartFile {
  public:
    explicit PartFile(std::string path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            throw Error(path_ + ": cannot create the download file: " + std::strerror(errno));
        }
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            ::close(fd_);
            if (err == EWOULDBLOCK) {
                throw Error(path_ +
                            ": another qwen-edge is downloading this file right now; wait "
                            "for it to finish (or stop it) and try again");
            }
            throw Error(path_ + ": cannot lock the download file: " + std::strerror(err));
        }
        rehash_from_disk();
    }
    ~PartFile() { close(); }
    PartFile(const PartFile&) = delete;
    PartFile& operator=(const PartFile&) = delete;

    const std::string& path() const { return path_; }
    uint64_t size() const { return size_; }

    // Brings the digest in line with what is on disk (after a failed write may have left bytes the
    // digest did not see).
    void rehash_from_disk() {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) throw Error(path_ + ": cannot stat: " + std::strerror(errno));
        // A special file (a test's /dev/full) has no size and cannot be resumed.
        const uint64_t on_disk = S_ISREG(st.st_mode) ? uint64_t(st.st_size) : 0;
        if (on_disk == size_ && hashed_ok_) return;
        hash_.reset();
        if (on_disk) hash_file_into(path_, hash_);
        size_ = on_disk;
        hashed_ok_ = true;
        if (S_ISREG(st.st_mode)) ::lseek(fd_, off_t(size_), SEEK_SET);
    }

    void truncate() {
        if (size_ && ::ftruncate(fd_, 0) != 0) {
            throw Error(path_ + ": cannot truncate: " + std::strerror(errno));
        }
        ::lseek(fd_, 0, SEEK_SET);
        hash_.reset();
        size_ = 0;
    }

    // Appends; returns 0 or the errno of a failed write (the digest then no longer matches).
    int append(const char* p, size_t n) {
        size_t left = n;
        while (left) {
            const ssize_t w = ::write(fd_, p, left);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                hashed_ok_ = false;
                return w < 0 ? errno : EIO;
            }
            p += w;
            left -= size_t(w);
        }
        hash_.update(p - n, n);
        size_ += n;
        return 0;
    }

    std::string digest() { return hash_.hex_digest(); }

    bool starts_with_gguf() const {
        char magic[4] = {};
        return ::pread(fd_, magic, 4, 0) == 4 && std::memcmp(magic, "GGUF", 4) == 0;
    }
    std::string first_bytes_for_message() const {
        char buf[16] = {};
        const ssize_t n = ::pread(fd_, buf, sizeof buf, 0);
        std::string out;
        for (ssize_t i = 0; i < n; ++i) {
            const unsigned char c = static_cast<unsigned char>(buf[i]);
            out += (c >= 32 && c < 127) ? char(c) : '.';
        }
        return out;
    }

    void close() {
        if (fd_ >= 0) ::close(fd_);  // also releases the lock
        fd_ = -1;
    }
    void remove() {
        close();
        ::unlink(path_.c_str());
    }

  private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    bool hashed_ok_ = false;
    Sha256 hash_;
};

// What one HTTP attempt saw.
struct Attempt {
    PartFile* part = nullptr;
    const DownloadOptions* options = nullptr;
    CURL* handle = nullptr;

    // The current response (reset at each "HTTP/" status line, i.e. at each redirect hop).
    long status = 0;
    std::optional<uint64_t> content_length;
    ContentRange content_range;
    // Survives redirects: Hugging Face states the digest on the redirecting response.
    std::string server_sha256;
    std::optional<uint64_t> server_size;

    bool body_started = false;
    bool writing = false;           // the body goes into the file (200/206)
    std::string error_body;         // the start of a 4xx/5xx body, for the message
    std::optional<uint64_t> total;  // size of the whole file once known
    int write_errno = 0;
    std::string abort_message;  // why the callback stopped the transfer
    std::string notice;         // e.g. "the server cannot resume"
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& a = *static_cast<Attempt*>(user);
    const size_t n = size * count;
    const std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        a.status = 0;
        const auto sp = line.find(' ');
        if (sp != std::string::npos) a.status = std::atol(line.c_str() + sp + 1);
        a.content_length.reset();
        a.content_range = {};
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return n;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string value = trim(line.substr(colon + 1));
    if (name == "content-length") {
        a.content_length = parse_u64(value);
    } else if (name == "content-range") {
        a.content_range = parse_content_range(value);
    } else if (name == "x-linked-etag") {
        const std::string sha = normalize_sha256(value);
        if (!sha.empty()) a.server_sha256 = sha;
    } else if (name == "x-linked-size") {
        a.server_size = parse_u64(value);
    }
    return n;
}

// Decides, at the first byte of the final response's body, where the body goes.
bool start_body(Attempt& a) {
    a.body_started = true;
    PartFile& part = *a.part;
    if (a.status == 206) {
        if (!a.content_range.start || *a.content_range.start != part.size()) {
            a.abort_message =
                "the server answered the resume request with the wrong part of the "
                "file (Content-Range does not start at byte " +
                std::to_string(part.size()) + ")";
            return false;
        }
        a.total = a.content_range.total;
    } else if (a.status == 200) {
        if (part.size()) {
            a.notice = "the server cannot resume (it ignored the Range request); starting over";
            part.truncate();
        }
        a.total = a.content_length;
    } else {
        return true;  // an error body: kept in memory for the message
    }
    a.writing = true;
    if (!a.total && a.server_size) a.total = a.server_size;
    if (a.total && *a.total > part.size()) {
        const uint64_t need = *a.total - part.size();
        const std::string dir = folder_of(part.path());
        const uint64_t free =
            a.options->free_space ? a.options->free_space(dir) : statvfs_free(dir);
        if (free < need) {
            a.abort_message = "not enough disk space in " + dir + ": the download needs " +
                              format_bytes(need) + " more but only " + format_bytes(free) +
                              " is free; free some space or pick another folder (--models-dir)";
            return false;
        }
    }
    return true;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto& a = *static_cast<Attempt*>(user);
    const size_t n = size * count;
    if (!a.body_started && !start_body(a)) return 0;
    if (!a.writing) {
        if (a.error_body.size() < 512)
            a.error_body.append(data, std::min(n, 512 - a.error_body.size()));
        return n;
    }
    if (a.total && a.part->size() + n > *a.total) {
        a.abort_message = "the server sent more bytes than the file's stated size (" +
                          std::to_string(*a.total) + ")";
        return 0;
    }
    if (const int err = a.part->append(data, n)) {
        a.write_errno = err;
        return 0;
    }
    return n;
}

int on_xfer(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto& a = *static_cast<Attempt*>(user);
    if (a.options->on_progress && a.writing)
        a.options->on_progress(a.part->size(), a.total.value_or(0));
    return a.options->stop_requested && a.options->stop_requested() ? 1 : 0;
}

enum class Outcome { kDone, kRetry, kFail };

struct AttemptResult {
    Outcome outcome = Outcome::kFail;
    std::string message;
    long retry_after_s = 0;
};

std::string sizes_so_far(const Attempt& a) {
    std::string s = format_bytes(a.part->size());
    if (a.total) s += " of " + format_bytes(*a.total);
    return s;
}

std::string http_status_message(const Attempt& a, const std::string& url,
                                const std::string& final_url, const DownloadOptions& o) {
    std::string where = url;
    if (final_url != url) where += " (redirected to " + final_url + ")";
    std::string msg = "HTTP " + std::to_string(a.status) + " from " + where;
    switch (a.status) {
        case 404:
        case 410:
            msg = "not found (HTTP " + std::to_string(a.status) + "): " + where;
            if (!o.not_found_hint.empty()) msg += "; " + o.not_found_hint;
            return msg;
        case 401:
        case 403:
            return "access denied (HTTP " + std::to_string(a.status) + "): " + where +
                   "; the file may need a login: set HF_TOKEN for Hugging Face, or check the URL";
        case 407:
            return "the proxy wants a login (HTTP 407): put the user and password in the proxy URL "
                   "(https_proxy=http://user:pass@host:port)";
        default:
            break;
    }
    std::string body = trim(a.error_body);
    if (!body.empty()) {
        for (auto& c : body) {
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        }
        if (body.size() > 200) body = body.substr(0, 200) + "...";
        msg += ": " + body;
    }
    return msg;
}

AttemptResult run_attempt(const std::string& url, PartFile& part, const DownloadOptions& o,
                          Attempt& a, std::string& final_url) {
    auto handle = new_handle();
    CURL* h = handle.get();
    char errbuf[CURL_ERROR_SIZE];
    set_common(h, url, o.user_agent, o.max_redirects, o.connect_timeout_s, errbuf);
    auto headers = make_headers(o.headers);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    const std::string range = std::to_string(part.size()) + "-";
    if (part.size()) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o.stall_bytes_per_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o.stall_timeout_s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_xfer);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &a);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    a.handle = h;

    const CURLcode rc = curl_easy_perform(h);
    char* effective = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
        final_url = effective;
    }
    if (!a.notice.empty() && o.on_notice) o.on_notice(a.notice);

    const std::string host = url_host(final_url.empty() ? url : final_url);
    AttemptResult r;
    if (rc == CURLE_OK) {
        if (a.status == 200 || a.status == 206) {
            if (a.total && part.size() < *a.total) {
                r.outcome = Outcome::kRetry;
                r.message = "the connection closed early, after " + sizes_so_far(a);
                return r;
            }
            if (!a.body_started && a.status == 206) a.total = a.content_range.total;
            r.outcome = Outcome::kDone;
            return r;
        }
        if (a.status == 416) {
            // Nothing left to send from our offset: the .part is complete (or longer than the
            // file, which the size and digest checks catch).
            a.total = a.content_range.total;
            r.outcome = Outcome::kDone;
            return r;
        }
        r.message = http_status_message(a, url, final_url, o);
        r.outcome = (a.status == 429 || a.status >= 500) ? Outcome::kRetry : Outcome::kFail;
#if LIBCURL_VERSION_NUM >= 0x074200
        curl_off_t retry_after = 0;
        if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK) {
            r.retry_after_s = long(std::min<curl_off_t>(retry_after, 60));
        }
#endif
        return r;
    }
    switch (rc) {
        case CURLE_WRITE_ERROR:
            if (a.write_errno) {
                r.message =
                    "cannot write " + part.path() + " after " + sizes_so_far(a) + ": " +
                    describe_errno(a.write_errno) +
                    (a.write_errno == ENOSPC || a.write_errno == EDQUOT || a.write_errno == EFBIG
                         ? "; free some space or pick another folder (--models-dir)"
                         : "");
            } else {
                r.message = a.abort_message.empty() ? std::string("the download was stopped")
                                                    : a.abort_message;
            }
            r.outcome = Outcome::kFail;
            return r;
        case CURLE_OPERATION_TIMEDOUT:
            r.message = "the download from " + host + " stalled: less than " +
                        format_bytes(uint64_t(o.stall_bytes_per_s)) + "/s for " +
                        std::to_string(o.stall_timeout_s) + " s, after " + sizes_so_far(a);
            r.outcome = Outcome::kRetry;
            return r;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
#if LIBCURL_VERSION_NUM >= 0x073100
        case CURLE_HTTP2_STREAM:
#endif
        case CURLE_HTTP2:
            r.message = "the connection to " + host + " was cut after " + sizes_so_far(a) + " (" +
                        errbuf + ")";
            r.outcome = Outcome::kRetry;
            return r;
        case CURLE_TOO_MANY_REDIRECTS:
            r.message = "more than " + std::to_string(o.max_redirects) + " redirects starting at " +
                        url + " (a redirect loop?)";
            return r;
        case CURLE_COULDNT_RESOLVE_HOST:
            r.message = "cannot resolve " + host +
                        ": no network or no DNS? Behind a proxy, set https_proxy (and http_proxy)";
            return r;
        case CURLE_COULDNT_RESOLVE_PROXY:
            r.message = std::string("cannot resolve the proxy host (") + errbuf +
                        "); check https_proxy / http_proxy";
            return r;
        case CURLE_COULDNT_CONNECT:
            r.message = "cannot connect to " + host + " (" + errbuf + ")";
            return r;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
            r.message = "secure connection to " + host + " failed (" + errbuf +
                        "); a proxy that inspects HTTPS needs its CA in the system store";
            return r;
        default:
            r.message = std::string("download of ") + url +
                        " failed: " + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
            if (!a.abort_message.empty()) r.message = a.abort_message;
            return r;
    }
}

}  // namespace

std::string url_host(const std::string& url) {
    CURLU* u = curl_url();
    if (!u) return "";
    std::string out;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        out = host;
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK) out += std::string(":") + port;
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

DownloadResult download_file(const std::string& url, const std::string& path,
                             const DownloadOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string expected = o.expected_sha256.empty() ? "" : normalize_sha256(o.expected_sha256);
    if (!o.expected_sha256.empty() && expected.empty()) {
        throw Error("the expected SHA-256 '" + o.expected_sha256 + "' is not 64 hex digits");
    }
    PartFile part(path + ".part");
    DownloadResult result;
    result.path = path;
    result.resumed_from = part.size();
    if (part.size() && o.on_notice) {
        o.on_notice("resuming " + part.path() + " at " + format_bytes(part.size()));
    }

    std::string server_sha;
    std::optional<uint64_t> total;
    std::string final_url = url;
    long delay_ms = o.retry_delay_ms;
    for (int attempt = 0;; ++attempt) {
        part.rehash_from_disk();
        Attempt a;
        a.part = &part;
        a.options = &o;
        result.attempts = attempt + 1;
        const AttemptResult r = run_attempt(url, part, o, a, final_url);
        const auto throw_if_stopped = [&] {
            if (!o.stop_requested || !o.stop_requested()) return;
            throw Error("the download was stopped; the " + format_bytes(part.size()) +
                        " downloaded so far stay in " + part.path() + " for a resume");
        };
        throw_if_stopped();
        if (!a.server_sha256.empty()) server_sha = a.server_sha256;
        if (r.outcome == Outcome::kDone) {
            total = a.total;
            if (!total && a.server_size) total = a.server_size;
            if (total && part.size() > *total && attempt < o.retries) {
                // A leftover longer than the file cannot be a prefix of it.
                if (o.on_notice)
                    o.on_notice(part.path() + " is longer than the file; starting over");
                part.truncate();
                continue;
            }
            break;
        }
        const bool keep = part.size() > 0;
        if (r.outcome == Outcome::kFail || attempt >= o.retries) {
            std::string msg = r.message;
            if (r.outcome == Outcome::kRetry && o.retries > 0) {
                msg += " (gave up after " + std::to_string(attempt + 1) + " attempts)";
            }
            if (keep) {
                msg += "; the " + format_bytes(part.size()) + " downloaded so far stay in " +
                       part.path() + " and the same command resumes from there";
            } else {
                part.remove();  // nothing worth keeping
            }
            throw Error(msg);
        }
        const long wait_ms = std::max(delay_ms, r.retry_after_s * 1000);
        if (o.on_notice) {
            o.on_notice(r.message + "; retrying in " + format_duration(double(wait_ms) / 1000) +
                        " (attempt " + std::to_string(attempt + 2) + " of " +
                        std::to_string(o.retries + 1) + ")");
        }
        // Waits in short steps, so a stop request is not held up by the pause.
        for (long waited = 0; waited < wait_ms; waited += 100) {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(100L, wait_ms - waited)));
            throw_if_stopped();
        }
        delay_ms = std::min(delay_ms * 2, 30000L);
    }

    // The whole file is in PATH.part: check it before anyone can use it.
    result.final_url = final_url;
    result.bytes = part.size();
    if (total && part.size() != *total) {
        const std::string msg = "the download has " + std::to_string(part.size()) +
                                " bytes but the server says the file has " +
                                std::to_string(*total) + "; removed " + part.path() +
                                ", run the command again";
        part.remove();
        throw Error(msg);
    }
    if (o.expect_gguf && !part.starts_with_gguf()) {
        const std::string start = part.first_bytes_for_message();
        part.remove();
        throw Error("what " + url_host(final_url) +
                    " sent is not a GGUF model file (it starts with \"" + start +
                    "\"; a login page or a proxy error?); removed " + path + ".part");
    }
    result.sha256 = part.digest();
    std::string want = expected.empty() ? server_sha : expected;
    std::string stated_by = expected.empty() ? " (as the server states)" : "";
    if (want.empty() && o.find_sha256) {
        want = normalize_sha256(o.find_sha256());
        stated_by = " (as the repository's file listing states)";
    }
    if (want.empty() && !o.allow_unverified) {
        part.close();
        throw Error("no SHA-256 is known for the file from " + url_host(final_url) +
                    " (the server states none, and neither does a file listing), so its content "
                    "cannot be checked; it stays unused in " + path +
                    ".part. Give the digest with --sha256 if you know it, or accept the file "
                    "unchecked with --no-verify (its SHA-256 is " + result.sha256 + ")");
    }
    if (!want.empty() && result.sha256 != want) {
        part.remove();
        throw Error("the downloaded file is corrupted: its SHA-256 is " + result.sha256 +
                    " but it should be " + want +
                    stated_by + "; removed " + path +
                    ".part so it is not used; run the command again to "
                    "download it afresh");
    }
    if (!expected.empty() && !server_sha.empty() && server_sha != expected && o.on_notice) {
        o.on_notice("note: the server states SHA-256 " + server_sha +
                    ", which differs from the one given; the given one was checked and matches");
    }
    result.verified = !want.empty();
    part.close();
    publish_file(path + ".part", path);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

std::string fetch_text(const std::string& url, const std::vector<std::string>& headers,
                       size_t max_bytes, long timeout_s) {
    auto handle = new_handle();
    CURL* h = handle.get();
    char errbuf[CURL_ERROR_SIZE];
    set_common(h, url, "qwen-edge", 10, 30, errbuf);
    auto list = make_headers(headers);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    struct Sink {
        std::string body;
        size_t max;
        bool too_big = false;
    } sink{{}, max_bytes};
    curl_easy_setopt(
        h, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* u) -> size_t {
            auto& k = *static_cast<Sink*>(u);
            if (k.body.size() + s * n > k.max) {
                k.too_big = true;
                return 0;
            }
            k.body.append(p, s * n);
            return s * n;
        });
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    const CURLcode rc = curl_easy_perform(h);
    if (sink.too_big) throw Error(url + ": the answer is larger than " + format_bytes(max_bytes));
    if (rc != CURLE_OK) {
        throw Error("cannot fetch " + url + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 400) {
        std::string body = trim(sink.body.substr(0, 200));
        throw Error("HTTP " + std::to_string(status) + " from " + url +
                    (body.empty() ? std::string() : ": " + body));
    }
    return sink.body;
}

}  // namespace qe::fetch
