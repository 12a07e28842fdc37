// SHA-256 digests (through OpenSSL's libcrypto) for checking downloaded model files.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace qe::fetch {

// Streams bytes in, gives the digest as 64 lowercase hex digits.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t size);
    std::string hex_digest();  // ends the stream; call reset() to start another
    void reset();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// Feeds a whole file into `hash`; throws qe::Error naming the file when it cannot be read.
void hash_file_into(const std::string& path, Sha256& hash);

// Digest of a whole file.
std::string sha256_of_file(const std::string& path);

// True for exactly 64 hex digits (either case).
bool is_sha256_hex(const std::string& text);

// Lowercases hex digits and strips the quotes and "W/" prefix an HTTP ETag may carry; returns ""
// when what is left is not a SHA-256.
std::string normalize_sha256(std::string text);

}  // namespace qe::fetch
