// Chunks follow headings, pages and sentences; sizes stay under the cap; UTF-8 is never cut.
#include "documents/chunker.h"

#include <gtest/gtest.h>

#include "core/utf8.h"
#include "documents/token_estimate.h"

namespace qe::documents {
namespace {

Block heading(int level, std::string text) {
    Block b;
    b.kind = Block::kHeading;
    b.level = level;
    b.text = std::move(text);
    return b;
}

Block paragraph(std::string text, std::optional<int> page = {}) {
    Block b;
    b.text = std::move(text);
    b.page = page;
    return b;
}

TEST(TokenEstimate, CjkOneEachOtherFourBytes) {
    EXPECT_EQ(estimate_tokens("中文"), 2);
    EXPECT_EQ(estimate_tokens("abcdefgh"), 2);
    EXPECT_EQ(estimate_tokens("abcde"), 2);
    EXPECT_EQ(estimate_tokens("中文，abcd。"), 5);  // full-width punctuation counts as CJK
    EXPECT_EQ(estimate_tokens(""), 0);
}

TEST(Chunker, SentencesSplitAtChineseAndLatinEnds) {
    const auto s = split_sentences("第一句。第二句！“第三句？”Pi is 3.14. Next; 最后");
    ASSERT_EQ(s.size(), 6u);
    EXPECT_EQ(s[0], "第一句。");
    EXPECT_EQ(s[2], "“第三句？”");
    EXPECT_EQ(s[3], "Pi is 3.14. ");
    EXPECT_EQ(s[4], "Next; ");
    EXPECT_EQ(s[5], "最后");
}

TEST(Chunker, HeadingPathsFollowTheOutline) {
    const auto chunks = chunk_blocks(
        {heading(1, "手册"), heading(2, "安装"), paragraph("运行安装程序。"), heading(2, "使用"),
         paragraph("打开程序。"), heading(1, "附录"), paragraph("联系方式。")});
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0].text, "手册\n安装\n运行安装程序。");
    EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"手册", "安装"}));
    EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"手册", "使用"}));
    EXPECT_EQ(chunks[2].heading_path, (std::vector<std::string>{"附录"}));
    EXPECT_EQ(chunks[2].text, "附录\n联系方式。");
}

TEST(Chunker, ASkippedHeadingLevelLeavesNoGap) {
    const auto chunks = chunk_blocks({heading(1, "指南"), heading(3, "作者"), paragraph("某人。"),
                                      heading(2, "第一章"), paragraph("内容。")});
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"指南", "作者"}));
    EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"指南", "第一章"}));
}

TEST(Chunker, APageStartsAChunkAndIsKept) {
    const auto chunks =
        chunk_blocks({paragraph("一页。", 1), paragraph("还是一页。", 1), paragraph("二页。", 2)});
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0].text, "一页。\n还是一页。");
    EXPECT_EQ(chunks[0].page, 1);
    EXPECT_EQ(chunks[1].page, 2);
}

TEST(Chunker, TableRowsStayWhole) {
    std::vector<Block> blocks;
    const auto header = std::make_shared<const std::vector<std::string>>(
        std::vector<std::string>{"地区", "销售额"});
    for (int i = 0; i < 200; ++i) {  // "地区: 区域7; 销售额: 70": a "; " inside every row
        Block row;
        row.kind = Block::kTableRow;
        row.header = header;
        row.cells = {"区域" + std::to_string(i), std::to_string(i * 10)};
        blocks.push_back(row);
    }
    for (const int max_tokens : {40, 57, 64, 100}) {  // wherever a chunk fills up
        const auto chunks = chunk_blocks(blocks, {.max_tokens = max_tokens, .overlap_tokens = 10});
        ASSERT_GT(chunks.size(), 5u);
        for (const auto& c : chunks) {
            EXPECT_LE(c.tokens, max_tokens);
            std::stringstream lines(c.text);
            for (std::string line; std::getline(lines, line);) {
                EXPECT_TRUE(line.starts_with("地区: 区域") &&
                            line.find("; 销售额: ") != std::string::npos)
                    << max_tokens << ": " << line;
            }
        }
    }
}

// A long Chinese text: every chunk within the cap, valid UTF-8, ending at a sentence, and each
// one after the first starting with the previous one's last sentence.
TEST(Chunker, LongTextSplitsAtSentencesWithOverlap) {
    std::string text;
    for (int i = 0; i < 300; ++i)
        text += "这是第" + std::to_string(i) + "个句子，内容是关于知识库的测试。";
    const auto chunks = chunk_blocks({paragraph(text)}, {.max_tokens = 120, .overlap_tokens = 30});
    ASSERT_GT(chunks.size(), 10u);
    for (size_t i = 0; i < chunks.size(); ++i) {
        const auto& c = chunks[i];
        EXPECT_LE(c.tokens, 120);
        EXPECT_EQ(c.tokens, estimate_tokens(c.text));
        EXPECT_EQ(utf8::find_invalid(c.text), std::string_view::npos);
        EXPECT_TRUE(c.text.ends_with("。")) << c.text;
        if (i > 0) {
            const auto prev = split_sentences(chunks[i - 1].text);
            EXPECT_TRUE(c.text.starts_with(prev.back())) << i;
        }
    }
}

TEST(Chunker, AnUnendingRunIsCutAtCharacterBoundaries) {
    std::string text;
    for (int i = 0; i < 1000; ++i) text += "汉字x";  // no sentence end anywhere
    const auto chunks = chunk_blocks({paragraph(text)}, {.max_tokens = 64, .overlap_tokens = 10});
    ASSERT_GT(chunks.size(), 10u);
    std::string joined;
    for (const auto& c : chunks) {
        EXPECT_LE(c.tokens, 64);
        EXPECT_EQ(utf8::find_invalid(c.text), std::string_view::npos);
        joined += c.text;
    }
    EXPECT_EQ(joined, text);  // without sentences there is nothing whole to repeat
}

TEST(Chunker, EmptyInputGivesNoChunks) {
    EXPECT_TRUE(chunk_blocks({}).empty());
}

}  // namespace
}  // namespace qe::documents
