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
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
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

Exchange http(int port, const std::string& method, const std::string& path,
              const std::string& body = "", const std::string& extra_headers = "") {
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
        }
        ex.total_seconds = t;
    }
    ::close(fd);
    return ex;
}

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
        setup_error_ = start_nginx();
    }

    static void TearDownTestSuite() {
        nginx_proc_.kill(SIGTERM);
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

    // The repository's config, with its example ports replaced by the test's and wrapped in the
    // few settings a private nginx needs (pid file, temp folders, an access log naming the
    // instance that answered).
    // Returns "" or what went wrong.
    static std::string start_nginx() {
        std::ifstream in(kConfig);
        std::string conf{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        nginx_port_ = free_port();
        std::string missing;
        const auto replace = [&](const std::string& from, const std::string& to) {
            const auto at = conf.find(from);
            if (at == std::string::npos) {
                missing += kConfig + " no longer has '" + from + "'\n";
            } else {
                conf.replace(at, from.size(), to);
            }
        };
        replace("server 127.0.0.1:8081", "server 127.0.0.1:" + std::to_string(backend_port_[0]));
        replace("server 127.0.0.1:8082", "server 127.0.0.1:" + std::to_string(backend_port_[1]));
        replace("listen 80;", "listen 127.0.0.1:" + std::to_string(nginx_port_) + ";");
        if (!missing.empty()) return missing;
        std::ofstream(dir_ / "qwen-edge.conf") << conf;
        const std::string d = dir_.string();
        std::ofstream(dir_ / "nginx.conf")
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
        nginx_proc_ = Child::start(
            {nginx_, "-e", d + "/error.log", "-p", d, "-c", d + "/nginx.conf"}, d + "/nginx.out");
        if (!wait_until([] { return http(nginx_port_, "GET", "/health").status == 200; }, 20)) {
            std::ifstream err(d + "/error.log");
            return "nginx did not answer:\n" + nginx_proc_.output() +
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
};

// The shape of a stream: events that arrive over time, the first long before the last.
void expect_streamed(const Exchange& ex, const std::string& where) {
    ASSERT_EQ(ex.status, 200) << where << "\n" << ex.headers << ex.body.substr(0, 300);
    ASSERT_GE(ex.event_times.size(), 40u) << where << ": too few events\n"
                                          << ex.body.substr(0, 500);
    EXPECT_NE(ex.body.find("data: [DONE]"), std::string::npos) << where;
    // The client reads as soon as anything arrives, so events that arrive apart in time arrive in
    // separate reads; a proxy that held the stream back would hand it on in a few large pieces.
    // The bound is loose on purpose: on a loaded machine one read catches several events (13
    // reads for 76 events, 13 KB, was seen), and the test model makes a token in well under a
    // millisecond, so timing thresholds would not do.
    const int n = int(ex.event_times.size());
    const int buffered_reads = int(ex.body.size() / 4096) + 1;
    EXPECT_GT(ex.reads_with_events, 2 * buffered_reads)
        << where << ": " << n << " events (" << ex.body.size() << " bytes) came in only "
        << ex.reads_with_events << " reads";
}

TEST_F(NginxScaleOut, TokensStreamThroughAsTheyAreMade) {
    const std::string body = chat_body(true, 160);
    // The instance itself streams (else the check through nginx would prove nothing)...
    const Exchange direct = http(backend_port_[0], "POST", "/v1/chat/completions", body);
    expect_streamed(direct, "directly");
    // ...and so does nginx with the repository's config.
    // (Asking for gzip as browsers do: a compressing proxy holds events back to fill its blocks.)
    const Exchange proxied = http(nginx_port_, "POST", "/v1/chat/completions", body,
                                  header("stream-check") + "Accept-Encoding: gzip\r\n");
    expect_streamed(proxied, "through nginx");
    std::printf(
        "stream of %zu events: direct first/last %.3f/%.3f s in %d reads; "
        "through nginx %.3f/%.3f s in %d reads\n",
        proxied.event_times.size(), direct.event_times.front(), direct.event_times.back(),
        direct.reads_with_events, proxied.event_times.front(), proxied.event_times.back(),
        proxied.reads_with_events);
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
