// Serves the Api over HTTP/1.1 (cpp-httplib), or HTTPS with a certificate (OpenSSL): one thread
// per connection from a bounded pool, request size and time limits, SSE streaming, a clean stop.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "server/api.h"

namespace qe {

struct HttpOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    size_t max_body_bytes = 1 << 20;  // larger bodies get 413
    // A multipart upload (POST /v1/knowledge/{name}/documents) may be this large: one request
    // holds files up to this size together.
    uint64_t max_upload_bytes = 64ull << 20;
    int threads = 32;                 // connections served at once
    int read_timeout_s = 10;          // a client that sends nothing for this long is dropped
    int write_timeout_s = 30;         // and one that reads nothing
    // The whole request (head and body) must arrive within this, however it trickles in: a
    // slowloris client sending a byte now and then is dropped instead of holding a thread.
    int request_timeout_s = 30;
    // HTTPS: a PEM certificate (chain) and its private key; both empty: plain HTTP.
    std::string tls_cert_file, tls_key_file;
};

class HttpServer {
  public:
    // Throws qe::Error naming the file when the certificate or key cannot be used.
    HttpServer(HttpOptions options, Api& api);
    ~HttpServer();

    // Binds; throws qe::Error (e.g. the port is taken). Returns the port (useful with port 0).
    int bind();
    // Serves until stop(); call after bind().
    void serve();
    // Makes serve() return; safe from any thread.
    void stop();

    // Runs raw request bytes (one or more pipelined requests) through the same HTTP parsing,
    // limits and Api as a connection, without a socket; returns the bytes answered. For fuzzing.
    std::string answer_raw(std::string_view bytes);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace qe
