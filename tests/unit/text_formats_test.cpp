// Plain text, Markdown and CSV into blocks.
#include "documents/text_formats.h"

#include <gtest/gtest.h>

#include "support/skip_reason_of.h"

namespace qe::documents {
namespace {

TEST(PlainText, ParagraphsAtBlankLines) {
    const auto blocks = read_plain_text("第一段。\n还是第一段。\n\n  \n第二段\n");
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].text, "第一段。\n还是第一段。");
    EXPECT_EQ(blocks[1].text, "第二段");
}

TEST(Markdown, HeadingsParagraphsCodeAndTables) {
    const auto blocks = read_markdown(
        "# 年度报告 #\n"
        "引言段落。\n"
        "\n"
        "## 销售\n"
        "- 第一项\n"
        "- 第二项\n"
        "\n"
        "```\n"
        "# not a heading\n"
        "```\n"
        "| 地区 | 销售额 |\n"
        "|:---|---:|\n"
        "| 华东 | 120 |\n"
        "| 华南 | 80 |\n"
        "#nospace stays text\n");
    ASSERT_EQ(blocks.size(), 8u);
    EXPECT_EQ(blocks[0].kind, Block::kHeading);
    EXPECT_EQ(blocks[0].level, 1);
    EXPECT_EQ(blocks[0].text, "年度报告");
    EXPECT_EQ(blocks[1].text, "引言段落。");
    EXPECT_EQ(blocks[2].level, 2);
    EXPECT_EQ(blocks[3].text, "- 第一项\n- 第二项");
    EXPECT_EQ(blocks[4].text, "# not a heading");
    EXPECT_EQ(blocks[5].kind, Block::kTableRow);
    EXPECT_EQ(table_row_text(blocks[5]), "地区: 华东; 销售额: 120");
    EXPECT_EQ(table_row_text(blocks[6]), "地区: 华南; 销售额: 80");
    EXPECT_EQ(blocks[7].text, "#nospace stays text");
}

TEST(Markdown, SetextHeadingsAndRules) {
    const auto blocks = read_markdown("概述\n====\n正文。\n\n---\n细节\n---\n");
    ASSERT_EQ(blocks.size(), 3u);  // the rule after the blank line is no text and no heading
    EXPECT_EQ(blocks[0].kind, Block::kHeading);
    EXPECT_EQ(blocks[0].level, 1);
    EXPECT_EQ(blocks[0].text, "概述");
    EXPECT_EQ(blocks[1].text, "正文。");
    EXPECT_EQ(blocks[2].text, "细节");
    EXPECT_EQ(blocks[2].level, 2);
}

TEST(Csv, EachRowWithItsHeader) {
    const auto blocks = read_csv(
        "产品,季度,销售额\n"
        "\"笔记本, 14寸\",Q1,\"1,200\"\n"
        "\n"
        "\"说\"\"明\"\"\",Q2,\"两\n行\"\n"
        "多,出,的,列\n");
    ASSERT_EQ(blocks.size(), 3u);
    EXPECT_EQ(table_row_text(blocks[0]), "产品: 笔记本, 14寸; 季度: Q1; 销售额: 1,200");
    EXPECT_EQ(table_row_text(blocks[1]), "产品: 说\"明\"; 季度: Q2; 销售额: 两\n行");
    EXPECT_EQ(table_row_text(blocks[2]), "产品: 多; 季度: 出; 销售额: 的; column 4: 列");
}

// What Excel exports of a report: its title alone in the first row, then the column names.
TEST(Csv, ATitleRowAboveTheHeaderIsACaption) {
    const auto blocks = read_csv("2023年销售报表,,\n,,\n地区,季度,销售额\n华东,Q1,120\n");
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].kind, Block::kParagraph);
    EXPECT_EQ(blocks[0].text, "2023年销售报表");
    EXPECT_EQ(table_row_text(blocks[1]), "地区: 华东; 季度: Q1; 销售额: 120");
    // A table of one column keeps its first row as the header.
    const auto column = read_csv("城市\n北京\n上海\n");
    ASSERT_EQ(column.size(), 2u);
    EXPECT_EQ(table_row_text(column[1]), "城市: 上海");
}

TEST(Csv, TabsAndAHeaderAlone) {
    const auto tsv = read_csv("a\tb\n1\t2", '\t');
    ASSERT_EQ(tsv.size(), 1u);
    EXPECT_EQ(table_row_text(tsv[0]), "a: 1; b: 2");
    const auto header_only = read_csv("名称,数量\n");
    ASSERT_EQ(header_only.size(), 1u);
    EXPECT_EQ(header_only[0].text, "名称, 数量");
}

TEST(Csv, UnclosedQuoteIsBroken) {
    EXPECT_EQ(test::skip_reason_of([] { read_csv("a,b\n\"never closed,1\n"); }),
              SkipReason::kBroken);
}

}  // namespace
}  // namespace qe::documents
