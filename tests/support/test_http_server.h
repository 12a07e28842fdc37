// A tiny HTTP/1.1 server on 127.0.0.1 for download tests. It exists so a test decides every byte:
// it can cut a response midway, trickle it, lie about it, or redirect forever, which a real server
// library will not do on purpose. One thread per connection; every response closes its connection.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace qe::test {

struct HttpRequest {
    std::string method;
    std::string path;                            // with the query, as sent
    std::map<std::string, std::string> headers;  // names lowercased

    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

struct HttpResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Misbehaviour on demand:
    size_t cut_after = SIZE_MAX;  // close the connection after this many body bytes
    size_t trickle_bytes = 0;     // when > 0: send this many bytes per trickle_interval_ms
    int trickle_interval_ms = 0;
    std::string declared_length;  // Content-Length to state instead of the body's own
};

class TestHttpServer {
  public:
    using Handler = std::function<HttpResponse(const HttpRequest&)>;

    explicit TestHttpServer(Handler handler) : handler_(std::move(handler)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (listen_fd_ < 0) throw std::runtime_error("test server: socket() failed");
        ::fcntl(listen_fd_, F_SETFD, FD_CLOEXEC);  // not inherited by a qwen-edge the test runs
        const int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, never the network
        addr.sin_port = 0;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listen_fd_, 16) != 0) {
            ::close(listen_fd_);
            throw std::runtime_error("test server: cannot listen on 127.0.0.1");
        }
        socklen_t len = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        accept_thread_ = std::thread([this] { accept_loop(); });
    }

    ~TestHttpServer() {
        stopping_ = true;
        accept_thread_.join();
        std::vector<std::thread> threads;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            threads.swap(connections_);
        }
        for (auto& t : threads) t.join();
        ::close(listen_fd_);
    }

    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    int port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string url(const std::string& path) const { return base_url() + path; }

    // Every request seen so far, in order.
    std::vector<HttpRequest> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

  private:
    void accept_loop() {
        while (!stopping_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) continue;
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
            const int one = 1;  // macOS has no MSG_NOSIGNAL
            ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
            std::lock_guard<std::mutex> lock(mutex_);
            connections_.emplace_back([this, fd] { serve(fd); });
        }
    }

    bool read_request(int fd, HttpRequest& req) {
        std::string data;
        char buf[4096];
        while (data.find("\r\n\r\n") == std::string::npos) {
            if (data.size() > 65536 || stopping_) return false;
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return false;
            data.append(buf, size_t(n));
        }
        size_t pos = data.find("\r\n");
        const std::string line = data.substr(0, pos);
        const auto sp1 = line.find(' ');
        const auto sp2 = line.find(' ', sp1 + 1);
        if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
        req.method = line.substr(0, sp1);
        req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
        const size_t end = data.find("\r\n\r\n");
        while (pos < end) {
            const size_t next = data.find("\r\n", pos + 2);
            const std::string h = data.substr(pos + 2, next - pos - 2);
            const auto colon = h.find(':');
            if (colon != std::string::npos) {
                std::string name = h.substr(0, colon);
                for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
                std::string value = h.substr(colon + 1);
                value.erase(0, value.find_first_not_of(' '));
                req.headers[name] = value;
            }
            pos = next;
        }
        return true;
    }

    bool send_all(int fd, const char* p, size_t n) {
        while (n) {
#ifdef MSG_NOSIGNAL
            const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
#else
            const ssize_t w = ::send(fd, p, n, 0);
#endif
            if (w <= 0) return false;
            p += w;
            n -= size_t(w);
        }
        return true;
    }

    void serve(int fd) {
        HttpRequest req;
        if (read_request(fd, req)) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                requests_.push_back(req);
            }
            const HttpResponse res = handler_(req);
            std::string head = "HTTP/1.1 " + std::to_string(res.status) + " Test\r\n";
            for (const auto& [k, v] : res.headers) head += k + ": " + v + "\r\n";
            head += "Content-Length: " +
                    (res.declared_length.empty() ? std::to_string(res.body.size())
                                                 : res.declared_length) +
                    "\r\nConnection: close\r\n\r\n";
            if (send_all(fd, head.data(), head.size()) && req.method != "HEAD") {
                const size_t limit = std::min(res.cut_after, res.body.size());
                const size_t step = res.trickle_bytes ? res.trickle_bytes : 65536;
                for (size_t off = 0; off < limit && !stopping_; off += step) {
                    if (!send_all(fd, res.body.data() + off, std::min(step, limit - off))) break;
                    if (res.trickle_bytes) {
                        std::this_thread::sleep_for(
                            std::chrono::milliseconds(res.trickle_interval_ms));
                    }
                }
            }
        }
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
    }

    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread accept_thread_;
    mutable std::mutex mutex_;
    std::vector<std::thread> connections_;
    std::vector<HttpRequest> requests_;
};

// Serves `content` for a GET with or without "Range: bytes=N-", as a file server does: 206 with
// Content-Range from N, 416 when N is past the end.
inline HttpResponse serve_file_range(const HttpRequest& req, const std::string& content) {
    HttpResponse res;
    const std::string range = req.header("range");
    if (range.rfind("bytes=", 0) == 0 && range.back() == '-') {
        const size_t from = std::stoull(range.substr(6, range.size() - 7));
        const std::string total = std::to_string(content.size());
        if (from >= content.size()) {
            res.status = 416;
            res.headers.push_back({"Content-Range", "bytes */" + total});
            return res;
        }
        res.status = 206;
        res.headers.push_back({"Content-Range", "bytes " + std::to_string(from) + "-" +
                                                    std::to_string(content.size() - 1) + "/" +
                                                    total});
        res.body = content.substr(from);
        return res;
    }
    res.body = content;
    return res;
}

}  // namespace qe::test
