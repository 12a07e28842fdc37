#include "server/http_server.h"

#include <httplib.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "core/error.h"
#include "server/http_streams.h"

namespace qe {
namespace {

// cpp-httplib's server with our own connection loop around its request parsing: each request
// must arrive whole within a deadline, and requests can be fed from memory.
class LibServer : public httplib::Server {
  public:
    int read_timeout_s = 10, write_timeout_s = 30, request_timeout_s = 30;
    int keep_alive_max = 100, keep_alive_idle_s = 5;

    std::string answer_raw(std::string_view bytes) {
        MemoryStream stream(bytes);
        for (int i = 0; i < keep_alive_max && !stream.at_end(); ++i) {
            bool closed = false;
            if (!process_request(stream, i + 1 == keep_alive_max, closed, nullptr) || closed) break;
        }
        return stream.output();
    }

  private:
    bool process_and_close_socket(socket_t sock) override {
        DeadlineSocketStream stream(sock, read_timeout_s, write_timeout_s);
        bool ok = true;
        for (int i = 0; i < keep_alive_max; ++i) {
            if (!stream.has_buffered() && !next_request_arrives(sock)) break;
            stream.start_request(std::chrono::seconds(request_timeout_s));
            bool closed = false;
            ok = process_request(stream, i + 1 == keep_alive_max, closed, nullptr);
            if (!ok || closed) break;
        }
        ::shutdown(sock, SHUT_RDWR);
        ::close(sock);
        return ok;
    }

    // An idle keep-alive connection: waits for the next request a while, less when stopping.
    bool next_request_arrives(int fd) const {
        for (int waited_ms = 0; waited_ms < keep_alive_idle_s * 1000 && is_running();
             waited_ms += 100) {
            pollfd p{fd, POLLIN, 0};
            const int n = ::poll(&p, 1, 100);
            if (n > 0) return true;
            if (n < 0 && errno != EINTR) return false;
        }
        return false;
    }
};

}  // namespace

struct HttpServer::Impl {
    HttpOptions options;
    Api& api;
    LibServer server;
    int port = 0;

    Impl(HttpOptions o, Api& a) : options(std::move(o)), api(a) {}

    void handle(const httplib::Request& req, httplib::Response& res) {
        HttpRequest r;
        r.method = req.method;
        r.path = req.path;
        r.body = req.body;
        r.remote_addr = req.remote_addr;
        for (const auto& [field, part] : req.files)
            r.files.push_back({field, part.filename, part.content});
        // The library's limit is the upload's (files are large); other bodies keep theirs.
        if (!req.is_multipart_form_data() && req.body.size() > options.max_body_bytes) {
            res.status = 413;
            res.set_content(
                "{\"error\":{\"message\":\"the request body is too large\",\"type\":"
                "\"invalid_request_error\",\"param\":null,\"code\":\"http_413\"}}",
                "application/json");
            return;
        }
        for (const auto& [name, value] : req.headers) {
            std::string lower = name;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return char(std::tolower(c)); });
            r.headers[lower] = value;
        }
        HttpResponse out = api.handle(r);
        res.status = out.status;
        for (const auto& [name, value] : out.headers) res.set_header(name, value);
        if (!out.stream) {
            res.set_content(std::move(out.body), out.content_type);
            return;
        }
        // The whole stream is written by one call of the provider, on this connection's thread.
        auto stream = std::move(out.stream);
        res.set_chunked_content_provider(out.content_type, [stream](size_t,
                                                                    httplib::DataSink& sink) {
            stream([&](std::string_view piece) { return sink.write(piece.data(), piece.size()); });
            sink.done();
            return true;
        });
    }
};

HttpServer::HttpServer(HttpOptions options, Api& api)
    : impl_(std::make_unique<Impl>(std::move(options), api)) {
    auto& s = impl_->server;
    const int threads = std::max(2, impl_->options.threads);
    s.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    // An upload's parts and their headers: the file limit and a little more.
    s.set_payload_max_length(
        std::max(impl_->options.max_body_bytes, size_t(impl_->options.max_upload_bytes + (64 << 10))));
    s.read_timeout_s = std::max(1, impl_->options.read_timeout_s);
    s.write_timeout_s = std::max(1, impl_->options.write_timeout_s);
    s.request_timeout_s = std::max(1, impl_->options.request_timeout_s);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        impl_->handle(req, res);
    };
    s.Get(R"(/.*)", handler);
    s.Post(R"(/.*)", handler);
    s.Delete(R"(/.*)", handler);
    s.Options(R"(/.*)", handler);
    // Errors the library answers itself (413, 400 for malformed HTTP): OpenAI-style bodies too.
    s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return;
        std::string message = res.status == 413   ? "the request body is too large"
                              : res.status == 404 ? "not found"
                                                  : "bad request";
        res.set_content(
            "{\"error\":{\"message\":\"" + message +
                "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"http_" +
                std::to_string(res.status) + "\"}}",
            "application/json");
    });
}

HttpServer::~HttpServer() {
    stop();
}

int HttpServer::bind() {
    auto& o = impl_->options;
    if (o.port == 0) {
        impl_->port = impl_->server.bind_to_any_port(o.host.c_str());
    } else if (impl_->server.bind_to_port(o.host.c_str(), o.port)) {
        impl_->port = o.port;
    } else {
        impl_->port = -1;
    }
    if (impl_->port <= 0)
        throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                    " (is another program using the port? try --port)");
    return impl_->port;
}

void HttpServer::serve() {
    impl_->server.listen_after_bind();
}

void HttpServer::stop() {
    impl_->server.stop();
}

std::string HttpServer::answer_raw(std::string_view bytes) {
    return impl_->server.answer_raw(bytes);
}

}  // namespace qe
