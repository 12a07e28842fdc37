#include "server/http_server.h"

#include <fcntl.h>
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "core/error.h"
#include "server/http_streams.h"

namespace qe {
namespace {

// OpenSSL's last error, for messages.
std::string tls_error() {
    char text[256] = "unknown error";
    if (const unsigned long e = ERR_get_error()) ERR_error_string_n(e, text, sizeof text);
    ERR_clear_error();
    return text;
}

// The server's TLS settings: TLS 1.2 or newer, OpenSSL's default ciphers, the certificate chain
// and key from PEM files (checked against each other here, so a mistake shows at start).
SSL_CTX* load_tls(const std::string& cert_file, const std::string& key_file) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) throw Error("cannot set up TLS: " + tls_error());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    const auto fail = [&](const std::string& what) {
        const std::string detail = tls_error();
        SSL_CTX_free(ctx);
        throw Error(what + " (" + detail + ")");
    };
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
        fail(cert_file + ": cannot use it as the TLS certificate: it must be a PEM certificate, "
             "the server's first, then any intermediate ones (--tls-cert)");
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
            fail(key_file + " is not the private key of the certificate in " + cert_file);
        fail(key_file + ": cannot use it as the TLS private key: it must be an unencrypted PEM "
             "key (--tls-key)");
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        fail(key_file + " is not the private key of the certificate in " + cert_file);
    return ctx;
}

// cpp-httplib's server with our own connection loop around its request parsing: each request
// must arrive whole within a deadline, and requests can be fed from memory. With `tls`, each
// connection does a TLS handshake first and the requests come through it.
class LibServer : public httplib::Server {
  public:
    int read_timeout_s = 10, write_timeout_s = 30, request_timeout_s = 30;
    int keep_alive_max = 100, keep_alive_idle_s = 5;
    SSL_CTX* tls = nullptr;

    ~LibServer() override {
        if (tls) SSL_CTX_free(tls);
    }

    std::string answer_raw(std::string_view bytes) {
        MemoryStream stream(bytes);
        for (int i = 0; i < keep_alive_max && !stream.at_end(); ++i) {
            bool closed = false;
            if (!process_request(stream, i + 1 == keep_alive_max, closed, nullptr) || closed) break;
        }
        return stream.output();
    }

  private:
    // A TLS connection over `sock` whose handshake is done, or nullptr (dropped: a client that
    // speaks plain HTTP, or too slowly). Blocking, with the silence limits as socket timeouts.
    SSL* handshake(int sock) const {
        ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) & ~O_NONBLOCK);
        const timeval rcv{read_timeout_s, 0}, snd{write_timeout_s, 0};
        ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv);
        ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd);
        SSL* ssl = SSL_new(tls);
        if (ssl && SSL_set_fd(ssl, sock) == 1 && SSL_accept(ssl) == 1) return ssl;
        ERR_clear_error();
        SSL_free(ssl);
        return nullptr;
    }

    bool process_and_close_socket(socket_t sock) override {
        SSL* ssl = tls ? handshake(sock) : nullptr;
        if (tls && !ssl) {
            ::close(sock);
            return false;
        }
        bool ok = serve_connection(sock, ssl);
        if (ssl) {
            SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        ::shutdown(sock, SHUT_RDWR);
        ::close(sock);
        return ok;
    }

    bool serve_connection(int sock, SSL* ssl) {
        DeadlineSocketStream stream(sock, read_timeout_s, write_timeout_s, ssl);
        bool ok = true;
        for (int i = 0; i < keep_alive_max; ++i) {
            if (!stream.has_buffered() && !next_request_arrives(sock)) break;
            stream.start_request(std::chrono::seconds(request_timeout_s));
            bool closed = false;
            ok = process_request(stream, i + 1 == keep_alive_max, closed, nullptr);
            if (!ok || closed) break;
        }
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
    const auto& o = impl_->options;
    if (o.tls_cert_file.empty() != o.tls_key_file.empty())
        throw Error("HTTPS needs both a certificate (--tls-cert) and its key (--tls-key)");
    if (!o.tls_cert_file.empty()) s.tls = load_tls(o.tls_cert_file, o.tls_key_file);
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
