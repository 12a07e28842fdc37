// A real `qwen-edge serve` started by a test on a free loopback port, and a raw HTTP/1.1 client
// that decides every byte it sends (for malformed, slow and cut-off requests).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace qe::test {

using LiveClock = std::chrono::steady_clock;

inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline bool wait_until(const std::function<bool()>& ok, double seconds) {
    const auto end = LiveClock::now() + std::chrono::duration<double>(seconds);
    while (LiveClock::now() < end) {
        if (ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ok();
}

// A connected loopback socket; closed with the object.
class Connection {
  public:
    explicit Connection(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(uint16_t(port));
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~Connection() { close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool connected() const { return fd_ >= 0; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool send(const std::string& bytes) {
        size_t done = 0;
        while (fd_ >= 0 && done < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return false;
            done += size_t(n);
        }
        return fd_ >= 0;
    }
    // Bytes that arrive within `seconds`; "" on timeout; sets `closed` when the peer closed.
    std::string receive(double seconds, bool& closed) {
        closed = false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, int(seconds * 1000)) <= 0) return "";
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            closed = true;
            return "";
        }
        return std::string(buf, size_t(n));
    }

  private:
    int fd_ = -1;
};

// Decodes "Transfer-Encoding: chunked" as bytes arrive.
class Dechunker {
  public:
    std::string feed(const std::string& raw) {
        buf_ += raw;
        std::string out;
        for (;;) {
            if (left_ == 0) {
                const auto eol = buf_.find("\r\n");
                if (eol == std::string::npos) break;
                const std::string line = buf_.substr(0, eol);
                buf_.erase(0, eol + 2);
                if (line.empty()) continue;  // the CRLF after a chunk's data
                left_ = std::strtoul(line.c_str(), nullptr, 16);
                if (left_ == 0) break;
            }
            const size_t take = std::min(left_, buf_.size());
            out += buf_.substr(0, take);
            buf_.erase(0, take);
            left_ -= take;
            if (left_ > 0) break;
        }
        return out;
    }

  private:
    std::string buf_;
    size_t left_ = 0;
};

struct RawResponse {
    int status = 0;       // 0: no answer (nothing listens, or the connection closed first)
    std::string headers;  // the status line and headers, as sent
    std::string body;     // de-chunked

    std::string header(std::string name) const {
        std::string lower = headers;
        for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
        for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        const auto at = lower.find("\r\n" + name + ":");
        if (at == std::string::npos) return "";
        const size_t start = headers.find_first_not_of(' ', at + name.size() + 3);
        return headers.substr(start, headers.find("\r\n", start) - start);
    }
};

// Reads one response off a connection (to the end of the body or the connection).
// `on_body` sees the de-chunked body as it grows; returning false stops reading.
inline RawResponse read_response(Connection& c, double patience_s = 120,
                                 const std::function<bool(const std::string&)>& on_body = {}) {
    RawResponse r;
    std::string raw;
    bool in_body = false, chunked = false;
    size_t length = std::string::npos;
    Dechunker dechunk;
    for (;;) {
        bool closed = false;
        std::string piece = c.receive(patience_s, closed);
        if (piece.empty()) break;  // closed or silent for too long
        if (!in_body) {
            raw += piece;
            const auto end = raw.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            r.headers = raw.substr(0, end);
            r.status = std::atoi(r.headers.c_str() + r.headers.find(' ') + 1);
            chunked = r.header("Transfer-Encoding") == "chunked";
            if (const std::string l = r.header("Content-Length"); !l.empty())
                length = std::stoul(l);
            piece = raw.substr(end + 4);
            in_body = true;
        }
        if (chunked) {
            r.body += dechunk.feed(piece);
            if (piece.find("0\r\n\r\n") != std::string::npos) break;  // the last chunk
        } else {
            r.body += piece;
        }
        if (on_body && !on_body(r.body)) break;
        if (length != std::string::npos && r.body.size() >= length) break;
    }
    return r;
}

inline std::string request_text(const std::string& method, const std::string& path,
                                const std::string& body = "",
                                const std::string& extra_headers = "") {
    std::string req = method + " " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
    if (!body.empty() || method == "POST")
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n";
    return req + "\r\n" + body;
}

// One exchange over a fresh connection.
inline RawResponse http(int port, const std::string& method, const std::string& path,
                        const std::string& body = "", const std::string& extra_headers = "") {
    Connection c(port);
    if (!c.connected() || !c.send(request_text(method, path, body, extra_headers))) return {};
    return read_response(c);
}

// The "data:" payloads of a server-sent event stream, in order; `framing_ok` false when
// something else than events, comments and blank lines appears or an event is unterminated.
inline std::vector<std::string> sse_events(const std::string& body, bool& framing_ok) {
    std::vector<std::string> events;
    framing_ok = true;
    size_t at = 0;
    while (at < body.size()) {
        const size_t end = body.find("\n\n", at);
        if (end == std::string::npos) {
            framing_ok = false;
            break;
        }
        const std::string event = body.substr(at, end - at);
        if (event.rfind("data: ", 0) == 0 && event.find('\n') == std::string::npos) {
            events.push_back(event.substr(6));
        } else if (event.rfind(":", 0) != 0) {  // ": ping" comments are allowed
            framing_ok = false;
        }
        at = end + 2;
    }
    return events;
}

// True when `s` is well-formed UTF-8 with no partial character at either end.
inline bool whole_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80         ? 1
                         : (c >> 5) == 6  ? 2
                         : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4
                                          : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

// A child process (argv[0] a path) with its output in a log file; stopped with the object.
class LiveServer {
  public:
    LiveServer() = default;
    LiveServer(const LiveServer&) = delete;
    LiveServer& operator=(const LiveServer&) = delete;
    ~LiveServer() { stop(SIGKILL); }

    // Starts `qwen-edge serve ARGS --port P` and waits for /health; "" or what went wrong.
    std::string start(const std::string& binary, std::vector<std::string> args,
                      const std::string& log) {
        port_ = free_port();
        log_ = log;
        args.insert(args.begin(),
                    {binary, "serve", "--host", "127.0.0.1", "--port", std::to_string(port_)});
        pid_ = ::fork();
        if (pid_ == 0) {
            if (!workdir.empty()) {  // a fresh home too, so every place it could write is seen
                if (::chdir(workdir.c_str()) != 0) ::_exit(126);
                ::setenv("HOME", workdir.c_str(), 1);
                ::setenv("XDG_CACHE_HOME", (workdir + "/.cache").c_str(), 1);
            }
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        // Ready (200), or only up (any answer) for a server that first downloads its model.
        const auto up = [&] {
            if (ready_check) return ready_check(port_);
            const int status = http(port_, "GET", "/health").status;
            return wait_for_model ? status == 200 : status != 0;
        };
        if (!wait_until([&] { return !running() || up(); }, 120) ||
            !running())
            return "qwen-edge serve did not become ready:\n" + output();
        return "";
    }
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    bool wait_for_model = true;  // false: start() returns once the HTTP server answers
    std::function<bool(int port)> ready_check;  // instead of GET /health (an HTTPS server)
    bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
    // Returns the exit status (-1: killed by a signal or not started).
    int stop(int sig = SIGTERM) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, sig);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::string output() const {
        std::ifstream in(log_);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    // A gauge or counter of /metrics (first sample with that exact name and labels); -1 if absent.
    double metric(const std::string& name_and_labels) const {
        const std::string text = http(port_, "GET", "/metrics").body;
        const auto at = text.find("\n" + name_and_labels + " ");
        if (at == std::string::npos) return -1;
        return std::atof(text.c_str() + at + name_and_labels.size() + 2);
    }

    std::string workdir;  // when set: the server's working folder and $HOME

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string log_;
};

}  // namespace qe::test
