// HTML through libxml2 and PDF through poppler, with the fixtures written here.
#include "documents/markup_formats.h"

#include <gtest/gtest.h>

#include "documents/chunker.h"
#include "documents/read_document.h"
#include "support/pdf_fixture.h"

namespace qe::documents {
namespace {

using test::make_pdf;

TEST(Html, HeadingsParagraphsAndTablesWithoutScripts) {
    const auto text = read_document_bytes(
        "<!DOCTYPE html><html><head><title>t</title><style>p{}</style></head><body>"
        "<nav>首页 | 关于</nav><h1>公司  简介</h1><p>我们成立于\n2001年。<b>总部</b>在上海。</p>"
        "<script>var x = 1;</script><h2>业绩</h2>"
        "<table><thead><tr><th>年份</th><th>营收</th></tr></thead>"
        "<tbody><tr><td>2023</td><td>1.2亿</td></tr></tbody></table>"
        "<div>第一行<br>第二行</div><pre>  缩进\n  保留</pre></body></html>",
        "about.html");
    ASSERT_FALSE(text.skipped) << text.skipped->message;
    ASSERT_EQ(text.blocks.size(), 6u);
    EXPECT_EQ(text.blocks[0].text, "公司 简介");
    EXPECT_EQ(text.blocks[1].text, "我们成立于 2001年。总部在上海。");
    EXPECT_EQ(text.blocks[2].level, 2);
    EXPECT_EQ(table_row_text(text.blocks[3]), "年份: 2023; 营收: 1.2亿");
    EXPECT_EQ(text.blocks[4].text, "第一行\n第二行");
    EXPECT_EQ(text.blocks[5].text, "缩进\n  保留");
}

TEST(Html, SpaceBetweenInlineElementsIsKept) {
    const auto text = read_document_bytes(
        "<p>See <code>/etc/passwd</code> and\n  <a href=x>the   policy</a>.</p>", "a.html");
    ASSERT_EQ(text.blocks.size(), 1u);
    EXPECT_EQ(text.blocks[0].text, "See /etc/passwd and the policy.");
}

TEST(Html, DeclaredAndDetectedCharsets) {
    const std::string gbk = "\xD6\xD0\xCE\xC4";  // 中文
    const auto declared = read_document_bytes(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
        "</head><body><p>" +
            gbk + "</p></body></html>",
        "a.htm");
    ASSERT_EQ(declared.blocks.size(), 1u);
    EXPECT_EQ(declared.blocks[0].text, "中文");
    const auto detected = read_document_bytes("<p>" + gbk + "</p>", "b.html");
    ASSERT_EQ(detected.blocks.size(), 1u);
    EXPECT_EQ(detected.blocks[0].text, "中文");
    const auto bom = read_document_bytes("\xEF\xBB\xBF<meta charset=\"gbk\"><p>中文</p>", "d.html");
    ASSERT_EQ(bom.blocks.size(), 1u);
    EXPECT_EQ(bom.blocks[0].text, "中文");
    EXPECT_EQ(read_document_bytes("<meta charset=\"no-such\"><p>x</p>", "c.html").skipped->reason,
              SkipReason::kNotText);
}

TEST(Pdf, TextLayerWithPageNumbersAndChinese) {
    const std::string pdf =
        make_pdf({{"First page text.", U"第一页的中文"}, {"Second page.", U""}});
    const auto text = read_document_bytes(pdf, "report.pdf");
    ASSERT_FALSE(text.skipped) << text.skipped->message;
    std::string first_page;  // the lines of page 1, whatever paragraphs poppler's layout gives
    for (const Block& b : text.blocks) {
        if (b.page == 1) first_page += b.text + "\n";
    }
    EXPECT_NE(first_page.find("First page text."), std::string::npos) << first_page;
    EXPECT_NE(first_page.find("第一页的中文"), std::string::npos) << first_page;
    EXPECT_EQ(text.blocks.front().page, 1);
    EXPECT_EQ(text.blocks.back().text, "Second page.");
    EXPECT_EQ(text.blocks.back().page, 2);
    const auto chunks = chunk_blocks(text.blocks);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[1].page, 2);
}

TEST(Pdf, ScannedPagesHaveNoTextLayer) {
    const auto text = read_document_bytes(make_pdf({{"", U""}, {"", U""}}), "scan.pdf");
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kNoTextLayer);
}

TEST(Pdf, PasswordProtectedIsEncrypted) {
    // The standard security handler with a user password: the empty password does not match /U.
    const std::string encrypt =
        "/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -4 "
        "/O <" +
        std::string(64, 'A') + "> /U <" + std::string(64, 'B') +
        "> >> "
        "/ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]";
    const auto text = read_document_bytes(make_pdf({{"secret", U""}}, encrypt), "locked.pdf");
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kEncrypted);
}

TEST(Pdf, BrokenFileIsNamed) {
    const auto text = read_document_bytes("%PDF-1.4\nnothing else", "broken.pdf");
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kBroken);
    EXPECT_EQ(read_document_bytes("", "empty.pdf").skipped->reason, SkipReason::kBroken);
}

}  // namespace
}  // namespace qe::documents
