// Encoding detection and decoding of text files: BOMs, UTF-8, GB18030/GBK, junk.
#include "documents/text_decoding.h"

#include <gtest/gtest.h>

#include "documents/skip_reason.h"
#include "support/skip_reason_of.h"

namespace qe::documents {
namespace {

// "中文测试" in GB18030 (the same bytes in GBK).
const std::string kGbChinese = "\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4";

std::optional<SkipReason> reason_of(std::string_view bytes) {
    return test::skip_reason_of([&] { decode_text(bytes); });
}

TEST(TextDecoding, Utf8WithAndWithoutBom) {
    EXPECT_EQ(decode_text("中文 text"), "中文 text");
    EXPECT_EQ(decode_text("\xEF\xBB\xBF中文"), "中文");
    EXPECT_EQ(detect_encoding("plain ascii"), TextEncoding::kUtf8);
}

// Found by documents_text_fuzz: a UTF-8 BOM before bytes that are not UTF-8.
TEST(TextDecoding, AUtf8BomBeforeBadBytesGivesReplacementCharacters) {
    const std::string text = decode_text("\xEF\xBB\xBF\xA0\x87中文\xE5ten");
    EXPECT_EQ(text, "\xEF\xBF\xBD\xEF\xBF\xBD中文\xEF\xBF\xBDten");
}

TEST(TextDecoding, Utf16WithBom) {
    const std::string le("\xFF\xFE\x2D\x4E\x87\x65\x0D\x00\x0A\x00\x41\x00", 12);  // 中文\r\nA
    EXPECT_EQ(detect_encoding(le), TextEncoding::kUtf16Le);
    EXPECT_EQ(decode_text(le), "中文\nA");
    const std::string be("\xFE\xFF\x4E\x2D\x65\x87", 6);
    EXPECT_EQ(detect_encoding(be), TextEncoding::kUtf16Be);
    EXPECT_EQ(decode_text(be), "中文");
}

TEST(TextDecoding, Gb18030AndGbk) {
    EXPECT_EQ(detect_encoding(kGbChinese), TextEncoding::kGb18030);
    EXPECT_EQ(decode_text(kGbChinese + "\r\nabc"), "中文测试\nabc");
    // A four-byte GB18030 sequence (U+20000, 𠀀) beside two-byte ones.
    EXPECT_EQ(decode_text("\x95\x32\x82\x36" + kGbChinese), "\xF0\xA0\x80\x80中文测试");
}

TEST(TextDecoding, LineEndsAreNormalized) {
    EXPECT_EQ(normalize_line_ends("a\r\nb\rc\n"), "a\nb\nc\n");
}

TEST(TextDecoding, BinaryJunkIsNotText) {
    EXPECT_EQ(reason_of(std::string("\x00\x01\x02\x03 ELF", 8)), SkipReason::kNotText);
    EXPECT_EQ(reason_of("\xFF\xFF\xFF\x80\x80"), SkipReason::kNotText);
    std::string controls(200, '\x01');
    EXPECT_EQ(reason_of(controls), SkipReason::kNotText);
    // A cut UTF-16 surrogate pair is no text either.
    EXPECT_EQ(reason_of(std::string("\xFF\xFE\x3D\xD8", 4)), SkipReason::kNotText);
}

TEST(TextDecoding, UnknownCharsetIsNamed) {
    try {
        convert_to_utf8("abc", "NO-SUCH-CHARSET");
        FAIL();
    } catch (const DocumentError& e) {
        EXPECT_EQ(e.reason(), SkipReason::kNotText);
        EXPECT_NE(std::string(e.what()).find("NO-SUCH-CHARSET"), std::string::npos);
    }
}

}  // namespace
}  // namespace qe::documents
