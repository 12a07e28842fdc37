// BPE merging: a tiny hand-made vocabulary whose answers can be worked out by hand, and the two
// merge loops (linear scan, priority queue) agreeing on real pieces.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "tokenizer/bpe.h"
#include "tokenizer/literal_matcher.h"
#include "tokenizer/nfc.h"
#include "tokenizer/pretokenize.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

using testing::golden_path;
using testing::qwen25;

// Tokens: a b c d (ids 0..3), then the results of the merges in rank order.
Vocab tiny_vocab(std::vector<std::pair<std::string, std::string>> merges) {
    Vocab v;
    v.source = "tiny";
    for (const char* t : {"a", "b", "c", "d"}) {
        v.tokens.push_back(t);
        v.kinds.push_back(TokenKind::kNormal);
    }
    for (const auto& [l, r] : merges) {
        const std::string joined = l + r;
        if (std::find(v.tokens.begin(), v.tokens.end(), joined) == v.tokens.end()) {
            v.tokens.push_back(joined);
            v.kinds.push_back(TokenKind::kNormal);
        }
    }
    v.merges = std::move(merges);
    return v;
}

std::vector<std::string> spell(const Vocab& v, const std::vector<int32_t>& ids) {
    std::vector<std::string> out;
    for (int32_t id : ids) out.push_back(v.tokens[size_t(id)]);
    return out;
}

std::vector<std::string> both_loops(const Vocab& v, std::string_view piece) {
    const BpeModel bpe(v);
    std::vector<int32_t> scan, heap;
    bpe.encode_scan(piece, scan);
    bpe.encode_heap(piece, heap);
    EXPECT_EQ(scan, heap) << piece;
    return spell(v, scan);
}

using Pieces = std::vector<std::string>;

TEST(TokenizerBpe, LowestRankMergesFirst) {
    // "ab" outranks "bc": a|b|c -> ab|c, and "abc" is never formed through "bc".
    const Vocab v = tiny_vocab({{"a", "b"}, {"b", "c"}, {"a", "bc"}});
    EXPECT_EQ(both_loops(v, "abc"), (Pieces{"ab", "c"}));
    const Vocab w = tiny_vocab({{"b", "c"}, {"a", "b"}, {"a", "bc"}});
    EXPECT_EQ(both_loops(w, "abc"), (Pieces{"abc"}));
}

TEST(TokenizerBpe, EqualRanksMergeLeftmostFirst) {
    const Vocab v = tiny_vocab({{"a", "a"}});
    EXPECT_EQ(both_loops(v, "aaa"), (Pieces{"aa", "a"}));
    EXPECT_EQ(both_loops(v, "aaaaa"), (Pieces{"aa", "aa", "a"}));
    const Vocab w = tiny_vocab({{"a", "a"}, {"aa", "aa"}});
    EXPECT_EQ(both_loops(w, "aaaaaaa"), (Pieces{"aaaa", "aa", "a"}));
}

TEST(TokenizerBpe, AWholeWordInTheVocabularyIsStillReachedByMerges) {
    // "abc" exists, but with these ranks the merges lead to ab|c... then abc.
    const Vocab v = tiny_vocab({{"c", "d"}, {"a", "b"}, {"ab", "c"}});
    EXPECT_EQ(both_loops(v, "abcd"), (Pieces{"ab", "cd"}));
}

TEST(TokenizerBpe, RepeatedRuleTakesTheLaterRank) {
    // (b, c) appears at rank 0 and rank 2; with rank 2, (a, b) at rank 1 wins.
    const Vocab v = tiny_vocab({{"b", "c"}, {"a", "b"}, {"b", "c"}});
    EXPECT_EQ(both_loops(v, "abc"), (Pieces{"ab", "c"}));
}

TEST(TokenizerBpe, BytesWithoutATokenAreDropped) {
    const Vocab v = tiny_vocab({{"a", "b"}});
    // '-' has no token and leaves no symbol, so a and b become neighbours and merge (as in
    // Hugging Face's BPE without an unknown token).
    EXPECT_EQ(both_loops(v, "a-b"), (Pieces{"ab"}));
    EXPECT_EQ(both_loops(v, "xaby"), (Pieces{"ab"}));
}

TEST(TokenizerBpe, MergeWithUnknownTokenIsAnError) {
    Vocab v = tiny_vocab({{"a", "b"}});
    v.merges.push_back({"a", "x"});
    EXPECT_THROW(BpeModel{v}, Error);
    Vocab w = tiny_vocab({});
    w.merges.push_back({"c", "d"});  // "cd" is not a token
    try {
        BpeModel bpe(w);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("merge rule 0"), std::string::npos) << e.what();
    }
}

// The real vocabulary: every piece of the corpus, and long pieces, give the same ids with the
// scan and the queue.
TEST(TokenizerBpe, ScanAndQueueAgreeOnRealPieces) {
    const BpeModel bpe(qwen25().vocab());
    std::string scratch;
    size_t pieces = 0;
    for (const auto& line : testing::read_jsonl(golden_path("encode.jsonl"))) {
        const std::string text = line["text"];
        if (text.size() > 20000) continue;
        for (std::string_view piece : split_qwen2(unicode::nfc(text, scratch))) {
            std::vector<int32_t> scan, heap;
            bpe.encode_scan(piece, scan);
            bpe.encode_heap(piece, heap);
            ASSERT_EQ(scan, heap) << piece;
            ++pieces;
        }
    }
    EXPECT_GT(pieces, 4000u);
    std::mt19937 rng(7);
    const std::vector<std::string> parts = {"a", "e", "th", " ", "中", "文", "的", "é", "😀", "0"};
    for (int round = 0; round < 200; ++round) {
        std::string piece;
        const size_t n = 40 + rng() % 200;
        while (piece.size() < n) piece += parts[rng() % parts.size()];
        std::vector<int32_t> scan, heap;
        bpe.encode_scan(piece, scan);
        bpe.encode_heap(piece, heap);
        ASSERT_EQ(scan, heap) << piece;
    }
}

// A piece far longer than the cache and the scan limit: a run of letters with no break.
TEST(TokenizerBpe, VeryLongPiece) {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "\u4e2d\u6587";  // one \p{L}+ piece of 120 KB
    const std::vector<int32_t> ids = qwen25().encode(text);
    EXPECT_EQ(qwen25().decode(ids), text);
    EXPECT_LT(ids.size(), text.size() / 3);
}

TEST(TokenizerBpe, CacheGivesTheSameAnswersOnEveryThreadAndTokenizer) {
    const std::string text = "The cache remembers words: words, words and 中文中文 again again.";
    const std::vector<int32_t> first = qwen25().encode(text);
    EXPECT_EQ(qwen25().encode(text), first);
    // Another tokenizer on the same thread, with a different vocabulary: no stale answers.
    const Tokenizer tiny(tiny_vocab({{"a", "b"}}));
    EXPECT_EQ(tiny.encode("abab"), (std::vector<int32_t>{4, 4}));
    EXPECT_EQ(qwen25().encode(text), first);
    std::vector<int32_t> other;
    std::thread worker([&] { other = qwen25().encode(text); });
    worker.join();
    EXPECT_EQ(other, first);
}

TEST(TokenizerBpe, LiteralsMatchLeftmostLongest) {
    const LiteralMatcher m({{"<a>", 1}, {"<a>b", 2}, {"b<", 3}, {"x", 4}});
    auto found = [&](std::string_view text, size_t from = 0) {
        const LiteralMatcher::Match r = m.find(text, from);
        return std::make_pair(r.pos, r.id);
    };
    EXPECT_EQ(found("zz<a>bc"), std::make_pair(size_t(2), 2));  // longest at the leftmost start
    EXPECT_EQ(found("zz<a>c"), std::make_pair(size_t(2), 1));
    EXPECT_EQ(found("b<a>"), std::make_pair(size_t(0), 3));  // leftmost beats longest
    EXPECT_EQ(found("zzz").first, std::string_view::npos);
    EXPECT_EQ(found("<a>x", 1), std::make_pair(size_t(3), 4));
}

TEST(TokenizerBpe, AddedTokensAreLiteralsOnlyInParseMode) {
    const std::string text = "user: <|im_end|>\n<|im_start|>system";
    const std::vector<int32_t> parsed = qwen25().encode(text, SpecialTokens::kParse);
    const std::vector<int32_t> plain = qwen25().encode(text, SpecialTokens::kAsText);
    auto count = [](const std::vector<int32_t>& ids, int32_t id) {
        return std::count(ids.begin(), ids.end(), id);
    };
    EXPECT_EQ(count(parsed, 151645), 1);
    EXPECT_EQ(count(parsed, 151644), 1);
    for (int32_t id : plain) EXPECT_LT(id, 151643) << "an added token in plain text";
    EXPECT_EQ(qwen25().decode(plain), text);
    EXPECT_EQ(qwen25().decode(parsed), text);
}

TEST(TokenizerBpe, InvalidUtf8IsAnError) {
    EXPECT_THROW(qwen25().encode("ok \xE4\xB8"), Error);
    EXPECT_THROW(qwen25().encode("\xFF"), Error);
    try {
        qwen25().encode("abc\x80");
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("byte 3"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace qe
