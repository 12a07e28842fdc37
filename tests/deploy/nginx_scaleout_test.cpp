// deploy/nginx/qwen-edge.conf in action: Debian's nginx in front of two `qwen-edge serve`
// instances on 127.0.0.1, all started by the test. It checks that tokens stream through nginx as
// they are made (not in one lump at the end), that one conversation key always reaches the same
// instance, and that new requests still succeed after one instance is killed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kModel = std::string(QE_GOLDEN_DIR) + "/g896-q8_0.gguf";
const std::string kConfig = std::string(QE_SOURCE_DIR) + "/deploy/nginx/qwen-edge.conf";

std::string find_nginx() {
    for (const char* p : {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"}) {
        if (::access(p, X_OK) == 0) return p;
    }
    return "";
}

int free_port() {
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

// A child process with its output in a log file; killed with the test.
struct Child {
    pid_t pid = -1;
    std::string log;

    static Child start(const std::vector<std::string>& argv, const std::string& log) {
        Child c;
        c.log = log;
        c.pid = ::fork();
        if (c.pid == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        return c;
    }
    bool running() const { return pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0; }
    void kill(int sig = SIGKILL) {
        if (pid <= 0) return;
        ::kill(pid, sig);
        ::waitpid(pid, nullptr, 0);
        pid = -1;
    }
    std::string output() const {
        std::ifstream in(log);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
};

// One HTTP/1.1 exchange over a fresh connection, with the time each piece of the body arrived.
struct Exchange {
    int status = 0;
    std::string headers;
    std::string body;  // de-chunked
    // For a server-sent event stream: when each "data:" event was complete, in seconds after
    // the request was sent, and how many separate reads delivered events.
    std::vector<double> event_times;
    int reads_with_events = 0;
    double total_seconds = 0;
};

// Decodes "Transfer-Encoding: chunked" incrementally.
class Dechunker {
  public:
    // Feeds raw bytes; returns the decoded bytes they completed.
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
                left_ = std::stoul(line, nullptr, 16);
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

// on_events, if given, is told the number of complete events after each read that adds some.
Exchange http(int port, const std::string& method, const std::string& path,
              const std::string& body = "", const std::string& extra_headers = "",
              const std::function<void(size_t)>& on_events = {}) {
    Exchange ex;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(uint16_t(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return ex;  // status 0: nothing listens
    }
    std::string req = method + " " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
    if (!body.empty()) {
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n";
    }
    req += "\r\n" + body;
    const auto t0 = Clock::now();
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);

    std::string raw;
    bool in_body = false, chunked = false;
    Dechunker dechunk;
    size_t events_seen = 0;
    char buf[65536];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 120000) <= 0) break;  // two minutes of silence: give up
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        const double t = std::chrono::duration<double>(Clock::now() - t0).count();
        std::string piece(buf, size_t(n));
        if (!in_body) {
            raw += piece;
            const auto end = raw.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            ex.headers = raw.substr(0, end);
            ex.status = std::atoi(ex.headers.c_str() + ex.headers.find(' ') + 1);
            std::string lower = ex.headers;
            for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
            chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
            piece = raw.substr(end + 4);
            in_body = true;
        }
        ex.body += chunked ? dechunk.feed(piece) : piece;
        // An event is complete at its blank line.
        size_t count = 0;
        for (size_t at = ex.body.find("data:"); at != std::string::npos;
             at = ex.body.find("data:", at + 5)) {
            if (ex.body.find("\n\n", at) != std::string::npos) ++count;
        }
        if (count > events_seen) {
            ++ex.reads_with_events;
            while (events_seen < count) ex.event_times.push_back(t), ++events_seen;
            if (on_events) on_events(count);
        }
        ex.total_seconds = t;
    }
    ::close(fd);
    return ex;
}

// A stand-in upstream that streams server-sent events in lock step with the client: it sends
// event k + 1 only once the client has reported event k (through whatever proxy sits between
// them). A proxy that holds events back until a buffer fills stalls it, however fast or loaded the
// machine: the test model makes a whole answer in milliseconds, so the timing of a real instance's
// events cannot tell a buffering proxy from a client that was not scheduled for those
// milliseconds. GET /health answers 200, so nginx's readiness check works as with an instance.
class LockStepUpstream {
  public:
    static constexpr int kEvents = 20;
    static constexpr double kPatience = 10;  // seconds to wait for an event to reach the client

    LockStepUpstream() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(fd_, 16);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~LockStepUpstream() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    // The client's report: how many events it has received.
    void received(size_t n) { received_ = int(n); }
    // The first event that did not reach the client in time (-1: none), of the last stream.
    int held_back() const { return held_back_; }

  private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            answer(c);
            ::close(c);
        }
    }

    void answer(int c) {
        std::string req;
        char buf[4096];
        size_t end = std::string::npos;
        while ((end = req.find("\r\n\r\n")) == std::string::npos) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            req.append(buf, size_t(n));
        }
        std::string lower = req.substr(0, end);
        for (auto& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        const auto cl = lower.find("content-length:");
        const size_t body = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15));
        while (req.size() < end + 4 + body) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            req.append(buf, size_t(n));
        }
        const auto send_all = [c](const std::string& s) {
            ::send(c, s.data(), s.size(), MSG_NOSIGNAL);
        };
        if (req.starts_with("GET /health")) {
            send_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            return;
        }
        send_all(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        const auto chunk = [&](const std::string& data) {
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", data.size());
            send_all(size + data + "\r\n");
        };
        received_ = 0;
        held_back_ = -1;
        for (int k = 0; k < kEvents; ++k) {
            chunk("data: {\"event\":" + std::to_string(k) + "}\n\n");
            if (held_back_ >= 0) continue;  // held back once: no use waiting again
            if (!wait_until([&] { return received_ > k; }, kPatience)) held_back_ = k;
        }
        chunk("data: [DONE]\n\n");
        send_all("0\r\n\r\n");
    }

    static bool wait_until(const std::function<bool()>& ok, double seconds) {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (!ok()) {
            if (Clock::now() > end) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return true;
    }

    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> received_{0};
    std::atomic<int> held_back_{-1};
};

std::string chat_body(bool stream, int max_tokens) {
    return std::string(R"({"messages":[{"role":"user","content":"Write a long story."}],)") +
           R"("stream":)" + (stream ? "true" : "false") + R"(,"max_tokens":)" +
           std::to_string(max_tokens) + R"(,"temperature":1.0,"seed":7})";
}

bool wait_until(const std::function<bool()>& ok, double seconds) {
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        if (ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ok();
}

// What nginx logged for each request: the conversation key and the instance(s) it tried.
struct Routed {
    std::string key, upstreams, status, uri;
};

class NginxScaleOut : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        nginx_ = find_nginx();
        if (nginx_.empty()) {
            skip_ = "nginx is not installed (scripts/setup.sh --test installs it)";
            return;
        }
        if (test::run_command(kBinary + " --help").output.find("\n  serve ") == std::string::npos) {
            skip_ = "this build of qwen-edge has no serve command yet";
            return;
        }
        dir_ = fs::path(QE_TEST_TMP_DIR) / "nginx_scaleout";
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        for (int i = 0; i < 2; ++i) start_instance(i);
        for (int i = 0; i < 2; ++i) {
            const int port = backend_port_[i];
            if (!wait_until([&] { return http(port, "GET", "/health").status == 200; }, 120)) {
                setup_error_ = "instance " + std::to_string(i) + " did not become ready:\n" +
                               instance_[i].output();
                return;
            }
        }
        setup_error_ =
            start_nginx(backend_port_[0], backend_port_[1], dir_, nginx_port_, nginx_proc_);
        if (!setup_error_.empty()) return;
        // A second nginx with the same config, in front of the lock-step upstream only.
        upstream_ = std::make_unique<LockStepUpstream>();
        fs::create_directories(dir_ / "lockstep");
        setup_error_ = start_nginx(upstream_->port(), upstream_->port(), dir_ / "lockstep",
                                   lockstep_port_, lockstep_proc_);
    }

    static void TearDownTestSuite() {
        nginx_proc_.kill(SIGTERM);
        lockstep_proc_.kill(SIGTERM);
        upstream_.reset();
        for (auto& c : instance_) c.kill(SIGTERM);
    }

    void SetUp() override {
        if (!skip_.empty()) GTEST_SKIP() << skip_;
        if (!setup_error_.empty()) FAIL() << setup_error_;
    }

    static void start_instance(int i) {
        if (!backend_port_[i]) backend_port_[i] = free_port();
        instance_[i] =
            Child::start({kBinary, "serve", "--model", kModel, "--host", "127.0.0.1", "--port",
                          std::to_string(backend_port_[i]), "--parallel", "2", "--threads", "1"},
                         (dir_ / ("instance" + std::to_string(i) + ".log")).string());
    }

    // The repository's config, with its example ports replaced by the test's (upstreams a and b,
    // and a free port it sets `port` to) and wrapped in the few settings a private nginx in `dir`
    // needs (pid file, temp folders, an access log naming the instance that answered).
    // Returns "" or what went wrong.
    static std::string start_nginx(int a, int b, const fs::path& dir, int& port, Child& proc) {
        std::ifstream in(kConfig);
        std::string conf{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        port = free_port();
        std::string missing;
        const auto replace = [&](const std::string& from, const std::string& to) {
            const auto at = conf.find(from);
            if (at == std::string::npos) {
                missing += kConfig + " no longer has '" + from + "'\n";
            } else {
                conf.replace(at, from.size(), to);
            }
        };
        replace("server 127.0.0.1:8081", "server 127.0.0.1:" + std::to_string(a));
        replace("server 127.0.0.1:8082", "server 127.0.0.1:" + std::to_string(b));
        replace("listen 80;", "listen 127.0.0.1:" + std::to_string(port) + ";");
        if (!missing.empty()) return missing;
        std::ofstream(dir / "qwen-edge.conf") << conf;
        const std::string d = dir.string();
        std::ofstream(dir / "nginx.conf")
            << "pid " << d << "/nginx.pid;\n"
            << "error_log " << d << "/error.log info;\n"
            << "daemon off;\nmaster_process off;\n"
            << "events {}\n"
            << "http {\n"
            << "    log_format routed "
               "'$http_x_conversation_id|$upstream_addr|$status|$request_uri';\n"
            << "    access_log " << d << "/access.log routed;\n"
            << "    client_body_temp_path " << d << "/body;\n"
            << "    proxy_temp_path " << d << "/proxy;\n"
            << "    fastcgi_temp_path " << d << "/fastcgi;\n"
            << "    uwsgi_temp_path " << d << "/uwsgi;\n"
            << "    scgi_temp_path " << d << "/scgi;\n"
            << "    include " << d << "/qwen-edge.conf;\n"
            << "}\n";
        proc = Child::start({nginx_, "-e", d + "/error.log", "-p", d, "-c", d + "/nginx.conf"},
                            d + "/nginx.out");
        if (!wait_until([&] { return http(port, "GET", "/health").status == 200; }, 20)) {
            std::ifstream err(d + "/error.log");
            return "nginx did not answer:\n" + proc.output() +
                   std::string{std::istreambuf_iterator<char>(err),
                               std::istreambuf_iterator<char>()};
        }
        return "";
    }

    // The logged requests `mine` picks, once there are `count` of them: nginx writes a request's
    // line as it finishes the request, which can be just after the client has read the answer.
    static std::vector<Routed> routed(const std::function<bool(const Routed&)>& mine,
                                      size_t count) {
        std::vector<Routed> out;
        wait_until(
            [&] {
                out.clear();
                for (const auto& r : read_log()) {
                    if (mine(r)) out.push_back(r);
                }
                return out.size() >= count;
            },
            5);
        return out;
    }

    static std::vector<Routed> read_log() {
        std::vector<Routed> out;
        std::ifstream in(dir_ / "access.log");
        std::string line;
        while (std::getline(in, line)) {
            std::stringstream ss(line);
            Routed r;
            std::getline(ss, r.key, '|');
            std::getline(ss, r.upstreams, '|');
            std::getline(ss, r.status, '|');
            std::getline(ss, r.uri, '|');
            out.push_back(r);
        }
        return out;
    }

    static std::string header(const std::string& key) {
        return "X-Conversation-Id: " + key + "\r\n";
    }

    static inline std::string skip_;
    static inline std::string setup_error_;
    static inline std::string nginx_;
    static inline fs::path dir_;
    static inline int backend_port_[2] = {0, 0};
    static inline int nginx_port_ = 0;
    static inline Child instance_[2];
    static inline Child nginx_proc_;
    static inline std::unique_ptr<LockStepUpstream> upstream_;
    static inline int lockstep_port_ = 0;
    static inline Child lockstep_proc_;
};

// A whole event stream: a chunked text/event-stream of at least `events` events and [DONE].
void expect_event_stream(const Exchange& ex, size_t events, const std::string& where) {
    ASSERT_EQ(ex.status, 200) << where << "\n" << ex.headers << ex.body.substr(0, 300);
    std::string headers = ex.headers;
    for (auto& c : headers) c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(headers.find("content-type: text/event-stream"), std::string::npos) << where;
    EXPECT_NE(headers.find("transfer-encoding: chunked"), std::string::npos) << where;
    ASSERT_GE(ex.event_times.size(), events) << where << ": too few events\n"
                                             << ex.body.substr(0, 500);
    EXPECT_NE(ex.body.find("data: [DONE]"), std::string::npos) << where;
}

TEST_F(NginxScaleOut, TokensStreamThroughAsTheyAreMade) {
    // With the repository's config nginx passes each event on at once: the lock-step upstream
    // sends the next event only after the previous one has come out of nginx. (Asking for gzip
    // as browsers do: a compressing proxy holds events back to fill its blocks.) This does not
    // depend on timing, unlike counting the reads of a real instance's stream, which the test
    // model makes in a few milliseconds: on a loaded machine a client or an nginx that is not
    // scheduled for those milliseconds gets a non-buffered stream in a few 4 KB pieces too.
    const std::string body = chat_body(true, 160);
    const Exchange lockstep = http(lockstep_port_, "POST", "/v1/chat/completions", body,
                                   header("stream-check") + "Accept-Encoding: gzip\r\n",
                                   [](size_t events) { upstream_->received(events); });
    expect_event_stream(lockstep, LockStepUpstream::kEvents + 1, "lock-step through nginx");
    EXPECT_EQ(upstream_->held_back(), -1) << "nginx held event " << upstream_->held_back()
                                          << " back for " << LockStepUpstream::kPatience << " s";

    // A real instance streams its answer as server-sent events, directly and through nginx.
    const Exchange direct = http(backend_port_[0], "POST", "/v1/chat/completions", body);
    expect_event_stream(direct, 40, "directly");
    const Exchange proxied = http(nginx_port_, "POST", "/v1/chat/completions", body,
                                  header("stream-check") + "Accept-Encoding: gzip\r\n");
    expect_event_stream(proxied, 40, "through nginx");
    EXPECT_EQ(proxied.event_times.size(), direct.event_times.size());
    std::printf(
        "lock-step stream of %zu events through nginx in %.3f s; instance stream of %zu "
        "events: direct in %d reads, through nginx in %d reads\n",
        lockstep.event_times.size(), lockstep.total_seconds, direct.event_times.size(),
        direct.reads_with_events, proxied.reads_with_events);
}

TEST_F(NginxScaleOut, AConversationKeyAlwaysReachesTheSameInstance) {
    for (int round = 0; round < 3; ++round) {
        for (int k = 0; k < 16; ++k) {
            const auto ex =
                http(nginx_port_, "GET", "/v1/models", "", header("stick-" + std::to_string(k)));
            ASSERT_EQ(ex.status, 200) << ex.headers;
        }
        ASSERT_EQ(http(nginx_port_, "POST", "/v1/chat/completions", chat_body(false, 2),
                       header("stick-3"))
                      .status,
                  200);
        ASSERT_EQ(http(nginx_port_, "GET", "/v1/models").status, 200);  // no key: by address
    }
    const auto log = routed(
        [](const Routed& r) {
            return r.key.rfind("stick-", 0) == 0 || (r.key == "-" && r.uri == "/v1/models");
        },
        3 * 18);
    ASSERT_EQ(log.size(), 3u * 18);
    std::map<std::string, std::set<std::string>> instances_of;
    std::set<std::string> used;
    for (const auto& r : log) {
        instances_of[r.key].insert(r.upstreams);
        used.insert(r.upstreams);
    }
    for (const auto& [key, instances] : instances_of) {
        EXPECT_EQ(instances.size(), 1u)
            << "key '" << key << "' went to " << instances.size() << " instances";
    }
    // 16 keys over 2 instances: both get some (all on one has odds of 1 in 32768).
    EXPECT_EQ(used.size(), 2u);
}

TEST_F(NginxScaleOut, NewRequestsSucceedAfterAnInstanceDies) {
    std::map<std::string, std::string> before;  // key -> instance
    const auto failover = [](const std::string& uri) {
        return [uri](const Routed& r) { return r.key.rfind("failover-", 0) == 0 && r.uri == uri; };
    };
    for (int k = 0; k < 16; ++k) {
        const std::string key = "failover-" + std::to_string(k);
        ASSERT_EQ(http(nginx_port_, "GET", "/v1/models", "", header(key)).status, 200);
    }
    for (const auto& r : routed(failover("/v1/models"), 16)) before[r.key] = r.upstreams;

    const std::string dead = "127.0.0.1:" + std::to_string(backend_port_[1]);
    const std::string alive = "127.0.0.1:" + std::to_string(backend_port_[0]);
    instance_[1].kill(SIGKILL);
    int moved = 0;
    for (int k = 0; k < 16; ++k) {
        const std::string key = "failover-" + std::to_string(k);
        const auto ex =
            http(nginx_port_, "POST", "/v1/chat/completions", chat_body(false, 2), header(key));
        EXPECT_EQ(ex.status, 200) << key << "\n" << ex.headers << "\n" << ex.body;
        moved += before[key] == dead;
    }
    EXPECT_GT(moved, 0) << "no key was on the killed instance, so nothing was tested";
    // Every answer after the kill came from the live instance (some after trying the dead one).
    const auto after = routed(failover("/v1/chat/completions"), 16);
    ASSERT_EQ(after.size(), 16u);
    for (const auto& r : after) {
        EXPECT_EQ(r.status, "200");
        EXPECT_EQ(r.upstreams.substr(r.upstreams.size() - alive.size()), alive)
            << r.key << " -> " << r.upstreams;
    }
}

}  // namespace
}  // namespace qe
