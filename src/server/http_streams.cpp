#include "server/http_streams.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace qe {
namespace {

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
        inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        port = ntohs(a->sin6_port);
    }
    ip = text;
}

}  // namespace

DeadlineSocketStream::DeadlineSocketStream(int fd, int read_timeout_s, int write_timeout_s,
                                           SSL* tls)
    : fd_(fd), tls_(tls), read_timeout_s_(read_timeout_s), write_timeout_s_(write_timeout_s) {}

bool DeadlineSocketStream::wait(short events, int timeout_s, bool deadline_applies) const {
    auto until = Clock::now() + std::chrono::seconds(timeout_s);
    if (deadline_applies) until = std::min(until, deadline_);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, events, 0};
        const int n = ::poll(&p, 1, int(std::min<int64_t>(left.count(), 1000)));
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) return false;
    }
}

bool DeadlineSocketStream::is_readable() const {
    return has_buffered() || wait(POLLIN, read_timeout_s_, true);
}

bool DeadlineSocketStream::is_writable() const {
    return wait(POLLOUT, write_timeout_s_, false);
}

ssize_t DeadlineSocketStream::read(char* ptr, size_t size) {
    if (begin_ == end_) {
        if (!has_buffered() && !wait(POLLIN, read_timeout_s_, true)) return -1;
        ssize_t n = 0;
        if (tls_) {
            n = SSL_read(tls_, buffer_, int(sizeof buffer_));
            if (n <= 0) return SSL_get_error(tls_, int(n)) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
        } else {
            n = ::recv(fd_, buffer_, sizeof buffer_, 0);
            if (n <= 0) return n;
        }
        begin_ = 0;
        end_ = size_t(n);
    }
    const size_t take = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_ + begin_, take);
    begin_ += take;
    return ssize_t(take);
}

ssize_t DeadlineSocketStream::write(const char* ptr, size_t size) {
    if (!is_writable()) return -1;
    if (tls_) {
        if (size == 0) return 0;
        const int n = SSL_write(tls_, ptr, int(std::min<size_t>(size, 1 << 30)));
        return n > 0 ? n : -1;
    }
    return ::send(fd_, ptr, size, MSG_NOSIGNAL);
}

void DeadlineSocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        address_of(addr, ip, port);
}

void DeadlineSocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        address_of(addr, ip, port);
}

ssize_t MemoryStream::read(char* ptr, size_t size) {
    const size_t take = std::min(size, input_.size() - pos_);
    std::memcpy(ptr, input_.data() + pos_, take);
    pos_ += take;
    return ssize_t(take);
}

ssize_t MemoryStream::write(const char* ptr, size_t size) {
    output_.append(ptr, size);
    return ssize_t(size);
}

void MemoryStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    ip = "127.0.0.1";
    port = 0;
}

void MemoryStream::get_local_ip_and_port(std::string& ip, int& port) const {
    ip = "127.0.0.1";
    port = 0;
}

}  // namespace qe
