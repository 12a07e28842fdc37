// The byte streams cpp-httplib reads requests from and writes answers to, in our hands so that
// a request has a deadline as a whole (not only per read) and can be fed from memory (fuzzing).
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <string>
#include <string_view>

namespace qe {

// A connected socket with a per-read/write silence limit and a deadline for the request being
// read: once it passes, reads fail and the connection is dropped. With `tls` (a connection whose
// handshake is done), the bytes go through it; the socket's own SO_RCVTIMEO/SO_SNDTIMEO bound a
// TLS record that arrives only in part.
class DeadlineSocketStream : public httplib::Stream {
  public:
    using Clock = std::chrono::steady_clock;
    DeadlineSocketStream(int fd, int read_timeout_s, int write_timeout_s, SSL* tls = nullptr);

    // Reading the next request must be over by now + limit.
    void start_request(std::chrono::seconds limit) { deadline_ = Clock::now() + limit; }
    bool has_buffered() const { return begin_ < end_ || (tls_ && SSL_pending(tls_) > 0); }

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return fd_; }

  private:
    // Waits for `events` up to the silence limit and the request deadline; false on timeout.
    bool wait(short events, int timeout_s, bool deadline_applies) const;

    int fd_;
    SSL* tls_;
    int read_timeout_s_, write_timeout_s_;
    Clock::time_point deadline_ = Clock::time_point::max();
    char buffer_[4096];  // httplib reads request lines a byte at a time
    size_t begin_ = 0, end_ = 0;
};

// Reads from a fixed string, collects what is written.
class MemoryStream : public httplib::Stream {
  public:
    explicit MemoryStream(std::string_view input) : input_(input) {}

    bool is_readable() const override { return pos_ < input_.size(); }
    bool is_writable() const override { return true; }
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return INVALID_SOCKET; }

    bool at_end() const { return pos_ >= input_.size(); }
    const std::string& output() const { return output_; }

  private:
    std::string_view input_;
    size_t pos_ = 0;
    std::string output_;
};

}  // namespace qe
