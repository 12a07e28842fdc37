#include "fetch/sha256.h"

#include <openssl/evp.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace qe::fetch {

struct Sha256::State {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    state_->ctx = EVP_MD_CTX_new();
    if (!state_->ctx) throw Error("SHA-256: out of memory");
    reset();
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(state_->ctx);
}

void Sha256::reset() {
    if (EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
        throw Error("SHA-256: OpenSSL could not start a digest");
    }
}

void Sha256::update(const void* data, size_t size) {
    if (size && EVP_DigestUpdate(state_->ctx, data, size) != 1) {
        throw Error("SHA-256: OpenSSL digest update failed");
    }
}

std::string Sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(state_->ctx, md, &len) != 1 || len != 32) {
        throw Error("SHA-256: OpenSSL digest final failed");
    }
    static const char* digits = "0123456789abcdef";
    std::string hex(64, '0');
    for (unsigned i = 0; i < 32; ++i) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    return hex;
}

void hash_file_into(const std::string& path, Sha256& hash) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(path + ": cannot open to check its SHA-256: " + std::strerror(errno));
    std::vector<char> buf(1 << 20);
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) hash.update(buf.data(), n);
    const bool failed = std::ferror(f);
    const int err = errno;
    std::fclose(f);
    if (failed) throw Error(path + ": read failed: " + std::strerror(err));
}

std::string sha256_of_file(const std::string& path) {
    Sha256 hash;
    hash_file_into(path, hash);
    return hash.hex_digest();
}

bool is_sha256_hex(const std::string& text) {
    if (text.size() != 64) return false;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

std::string normalize_sha256(std::string text) {
    if (text.rfind("W/", 0) == 0) text.erase(0, 2);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        text = text.substr(1, text.size() - 2);
    }
    if (!is_sha256_hex(text)) return "";
    for (auto& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace qe::fetch
