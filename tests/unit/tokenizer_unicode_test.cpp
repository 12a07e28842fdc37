// Unicode data against the reference, for every code point: the split pattern's classes
// (unicode_classes.txt) and NFC around each character (nfc_probes.txt), both recorded from
// Hugging Face's tokenizer by tests/reference/make_tokenizer_golden.js.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "tokenizer/nfc.h"
#include "tokenizer/unicode_class.h"
#include "tokenizer/unicode_tables.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

using testing::golden_path;
using unicode::char_table;

std::vector<std::string> data_lines(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != '#') lines.push_back(line);
    }
    return lines;
}

std::string to_utf8(std::u32string_view cps) {
    std::string s;
    for (char32_t c : cps) utf8::append(s, c);
    return s;
}

std::string hex(std::string_view utf8_text) {
    std::ostringstream out;
    for (size_t i = 0; i < utf8_text.size();) {
        const utf8::Sequence seq = utf8::examine(utf8_text.substr(i));
        out << std::hex << std::uppercase << uint32_t(seq.cp) << ' ';
        i += seq.length;
    }
    return out.str();
}

TEST(TokenizerUnicode, SplitClassesMatchReferenceForEveryCodePoint) {
    const std::vector<std::string> lines = data_lines(golden_path("unicode_classes.txt"));
    ASSERT_GT(lines.size(), 1000u);
    size_t checked = 0, wrong = 0;
    char32_t next = 0;
    for (const std::string& line : lines) {
        std::istringstream in(line);
        uint32_t first, last;
        char cls;
        in >> std::hex >> first >> last >> cls;
        ASSERT_EQ(first, next) << "ranges must cover every code point: " << line;
        next = last + 1;
        if (cls == '-') continue;  // surrogates
        const uint8_t want = cls == 'L'   ? unicode::kLetter
                             : cls == 'N' ? unicode::kNumber
                             : cls == 'S' ? unicode::kSpace
                                          : 0;
        for (char32_t cp = first; cp <= last; ++cp) {
            const uint8_t got =
                char_table()(cp) & (unicode::kLetter | unicode::kNumber | unicode::kSpace);
            if (got != want && ++wrong <= 20) {
                ADD_FAILURE() << "U+" << std::hex << uint32_t(cp) << ": class " << int(got)
                              << ", reference " << cls;
            }
            ++checked;
        }
    }
    EXPECT_EQ(next, 0x110000u);
    EXPECT_EQ(checked, 0x110000u - 0x800u);
    EXPECT_EQ(wrong, 0u);
}

// Probe k around code point X, as UTF-8: 0 = "X", 1 = "a X U+0334", 2 = "a U+0301 X"; and
// what NFC gives when nothing happens (probe 2 always composes "a U+0301" into U+00E1).
void probe(char32_t x, int k, std::string& text, std::string& plain) {
    text.clear();
    plain.clear();
    if (k == 0) {
        utf8::append(text, x);
        plain = text;
    } else if (k == 1) {
        text = "a";
        utf8::append(text, x);
        utf8::append(text, 0x334);
        plain = text;
    } else {
        text = "a\u0301";
        utf8::append(text, x);
        plain = "\u00e1";
        utf8::append(plain, x);
    }
}

TEST(TokenizerUnicode, NfcMatchesReferenceAroundEveryCodePoint) {
    // The reference's output where it differs from the plain expectation, by code point * 4 + k.
    std::map<uint64_t, std::string> recorded;
    for (const std::string& line : data_lines(golden_path("nfc_probes.txt"))) {
        std::istringstream in(line);
        uint32_t cp, cp_out;
        int k;
        in >> std::hex >> cp >> k;
        std::u32string out;
        while (in >> std::hex >> cp_out) out.push_back(cp_out);
        recorded[uint64_t(cp) * 4 + uint64_t(k)] = to_utf8(out);
    }
    ASSERT_GT(recorded.size(), 3000u);
    size_t wrong = 0, checked = 0;
    std::string scratch, text, plain;
    for (char32_t x = 1; x < 0x110000; ++x) {
        if (x >= 0xD800 && x <= 0xDFFF) continue;
        for (int k = 0; k < 3; ++k) {
            probe(x, k, text, plain);
            const auto it = recorded.find(uint64_t(x) * 4 + uint64_t(k));
            const std::string& want = it != recorded.end() ? it->second : plain;
            const std::string_view got = unicode::nfc(text, scratch);
            ++checked;
            if (got != want && ++wrong <= 20) {
                ADD_FAILURE() << "NFC of " << hex(text) << ": " << hex(got) << ", reference "
                              << hex(want);
            }
        }
    }
    EXPECT_EQ(checked, 3u * (0x110000u - 1 - 0x800u));
    EXPECT_EQ(wrong, 0u);
}

// Text made only of characters without the kNfcActive flag is returned untouched (same
// storage), and NFC of anything is stable under a second application.
TEST(TokenizerUnicode, NfcQuickCheckAndIdempotence) {
    std::string scratch;
    const std::string inert = "Hello 你好 안녕하세요 café 😀 日本語";
    EXPECT_EQ(unicode::nfc(inert, scratch).data(), inert.data());
    for (const auto& line : testing::read_jsonl(golden_path("encode.jsonl"))) {
        const std::string text = line["text"];
        const std::string once(unicode::nfc(text, scratch));
        std::string scratch2;
        EXPECT_EQ(std::string(unicode::nfc(once, scratch2)), once) << line["name"];
    }
}

TEST(TokenizerUnicode, NfcKnownCases) {
    std::string scratch;
    auto nfc = [&](const std::string& s) { return std::string(unicode::nfc(s, scratch)); };
    EXPECT_EQ(nfc("e\u0301"), "\u00e9");
    EXPECT_EQ(nfc("\u212b"), "\u00c5");                // singleton decomposition
    EXPECT_EQ(nfc("\u1100\u1161\u11a8"), "\uac01");    // Hangul L V T
    EXPECT_EQ(nfc("a\u0316\u0301"), "\u00e1\u0316");   // reordering, then composition
    EXPECT_EQ(nfc("\u0958"), "\u0915\u093c");          // composition exclusion
    EXPECT_EQ(nfc("a\u1df6\u0316"), "a\u1df6\u0316");  // U+1DF6 (10.0) unknown to 9.0 data
    EXPECT_EQ(nfc("\U00011935\U00011930"), "\U00011935\U00011930");  // 13.0 pair stays apart
    EXPECT_EQ(nfc(""), "");
}

TEST(TokenizerUnicode, AssignedInUnicode9) {
    EXPECT_TRUE(unicode::assigned_in_unicode9(U'a'));
    EXPECT_TRUE(unicode::assigned_in_unicode9(0x08D4));    // Unicode 9.0
    EXPECT_FALSE(unicode::assigned_in_unicode9(0x1DF6));   // Unicode 10.0
    EXPECT_FALSE(unicode::assigned_in_unicode9(0x0378));   // never assigned
    EXPECT_FALSE(unicode::assigned_in_unicode9(0x2EBF0));  // Unicode 15.1
    EXPECT_TRUE(unicode::assigned_in_unicode9(0x10FFFD));  // private use
}

TEST(TokenizerUnicode, Utf8ExamineFollowsTable3_7) {
    auto kind = [](std::string_view s) { return utf8::examine(s).kind; };
    auto len = [](std::string_view s) { return int(utf8::examine(s).length); };
    using S = utf8::Sequence;
    EXPECT_EQ(kind("\xE4\xB8\xAD"), S::kComplete);
    EXPECT_EQ(utf8::examine("\xE4\xB8\xAD").cp, 0x4E2Du);
    EXPECT_EQ(kind("\xF0\x9F\x98\x80"), S::kComplete);
    EXPECT_EQ(kind("\xE4\xB8"), S::kIncomplete);
    EXPECT_EQ(kind("\xF0\x9F\x98"), S::kIncomplete);
    EXPECT_EQ(kind("\xC0\xAF"), S::kInvalid);  // overlong
    EXPECT_EQ(len("\xC0\xAF"), 1);
    EXPECT_EQ(kind("\xE0\x80\xAF"), S::kInvalid);  // overlong, maximal subpart is E0
    EXPECT_EQ(len("\xE0\x80\xAF"), 1);
    EXPECT_EQ(kind("\xED\xA0\x80"), S::kInvalid);      // surrogate
    EXPECT_EQ(kind("\xF4\x90\x80\x80"), S::kInvalid);  // above U+10FFFF
    EXPECT_EQ(kind("\xE4\xB8\x41"), S::kInvalid);      // cut by an ASCII byte
    EXPECT_EQ(len("\xE4\xB8\x41"), 2);
    EXPECT_EQ(kind("\x80"), S::kInvalid);
    EXPECT_EQ(kind("\xFF"), S::kInvalid);
}

TEST(TokenizerUnicode, Utf8LossyReplacesMaximalSubparts) {
    auto lossy = [](std::string_view s) {
        std::string out;
        utf8::append_lossy(s, out);
        return out;
    };
    const std::string r(utf8::kReplacement);
    EXPECT_EQ(lossy("abc"), "abc");
    EXPECT_EQ(lossy("a\xE4\xB8"), "a" + r);
    EXPECT_EQ(lossy("\xE4\xB8\x41"), r + "A");
    EXPECT_EQ(lossy("\xF0\x9F\x98\x41\x80"), r + "A" + r);
    EXPECT_EQ(lossy("\xED\xA0\x80"), r + r + r);
    EXPECT_EQ(utf8::find_invalid("ok \xE4\xB8\xAD"), std::string_view::npos);
    EXPECT_EQ(utf8::find_invalid("12345678\xE4"), 8u);
}

}  // namespace
}  // namespace qe
