// SHA-256 against the FIPS 180-2 test vectors, streamed in pieces, and the digest text helpers.
#include "fetch/sha256.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace qe::fetch {
namespace {

std::string digest(const std::string& s) {
    Sha256 h;
    h.update(s.data(), s.size());
    return h.hex_digest();
}

TEST(Sha256, MatchesTheStandardVectors) {
    EXPECT_EQ(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(digest(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingInPiecesEqualsOneShotAndResetStartsOver) {
    const std::string text = "The quick brown fox jumps over the lazy dog";
    Sha256 h;
    for (char c : text) h.update(&c, 1);
    EXPECT_EQ(h.hex_digest(), digest(text));
    h.reset();
    h.update("abc", 3);
    EXPECT_EQ(h.hex_digest(), digest("abc"));
}

TEST(Sha256, HashesFilesAndNamesAMissingOne) {
    const auto path = std::filesystem::path(QE_TEST_TMP_DIR) / "sha256_test.bin";
    std::ofstream(path, std::ios::binary) << std::string(3 << 20, 'z');
    EXPECT_EQ(sha256_of_file(path.string()), digest(std::string(3 << 20, 'z')));
    try {
        sha256_of_file(path.string() + ".missing");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(".missing"), std::string::npos) << e.what();
    }
}

TEST(Sha256, NormalizesDigestTextFromHeaders) {
    const std::string d = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    EXPECT_EQ(normalize_sha256("\"" + d + "\""), digest("abc"));
    EXPECT_EQ(normalize_sha256("W/\"" + d + "\""), digest("abc"));
    EXPECT_EQ(normalize_sha256("abc"), "");
    EXPECT_EQ(normalize_sha256("\"" + std::string(40, 'a') + "\""), "");  // a git SHA-1
    EXPECT_EQ(normalize_sha256(std::string(63, 'a') + "g"), "");
    EXPECT_TRUE(is_sha256_hex(d));
    EXPECT_FALSE(is_sha256_hex(d + "0"));
}

}  // namespace
}  // namespace qe::fetch
