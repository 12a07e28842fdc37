// The way in: format by extension, and every file that cannot be read skipped with its reason
// while the others are imported.
#include "documents/read_document.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace qe::documents {
namespace {

namespace fs = std::filesystem;

std::optional<SkipReason> reason(std::string_view bytes, std::string_view name) {
    const DocumentText text = read_document_bytes(bytes, name);
    if (!text.skipped) return std::nullopt;
    EXPECT_TRUE(text.blocks.empty());
    EXPECT_FALSE(text.skipped->message.empty());
    return text.skipped->reason;
}

fs::path write_file(const std::string& name, std::string_view bytes) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "read_document_test";
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return dir / name;
}

TEST(ReadDocument, TextFormatsByExtension) {
    EXPECT_EQ(read_document_bytes("# 标题\n正文", "a.MD").blocks.size(), 2u);
    EXPECT_EQ(read_document_bytes("# 标题\n正文", "a.txt").blocks.size(), 1u);
    const auto csv = read_document_bytes("名称,价格\n苹果,3\n", "prices.csv");
    ASSERT_EQ(csv.blocks.size(), 1u);
    EXPECT_EQ(table_row_text(csv.blocks[0]), "名称: 苹果; 价格: 3");
}

// What Chinese Windows writes: Notepad's GBK text, Excel's CSV in GBK, UTF-16 with a BOM.
TEST(ReadDocument, ChineseEncodingsOfTextFiles) {
    const auto gbk_txt = read_document_bytes("\xD6\xD0\xCE\xC4\xA1\xA3\r\n", "说明.txt");
    ASSERT_EQ(gbk_txt.blocks.size(), 1u);
    EXPECT_EQ(gbk_txt.blocks[0].text, "中文。");
    // 名称,价格 / 苹果,3 in GBK
    const auto gbk_csv = read_document_bytes(
        "\xC3\xFB\xB3\xC6,\xBC\xDB\xB8\xF1\r\n\xC6\xBB\xB9\xFB,3\r\n", "价格.csv");
    ASSERT_EQ(gbk_csv.blocks.size(), 1u);
    EXPECT_EQ(table_row_text(gbk_csv.blocks[0]), "名称: 苹果; 价格: 3");
    const auto utf16 = read_document_bytes(std::string("\xFF\xFE#\0 \0-N\x87"
                                                       "e",
                                                       10),
                                           "a.md");
    ASSERT_EQ(utf16.blocks.size(), 1u);
    EXPECT_EQ(utf16.blocks[0].kind, Block::kHeading);
    EXPECT_EQ(utf16.blocks[0].text, "中文");
}

TEST(ReadDocument, LegacyFormatsSayWhatToSaveAs) {
    for (const char* name : {"a.doc", "b.wps", "c.xls", "d.et", "e.ppt"}) {
        const auto text = read_document_bytes("\xD0\xCF\x11\xE0", name);
        ASSERT_TRUE(text.skipped) << name;
        EXPECT_EQ(text.skipped->reason, SkipReason::kLegacyFormat);
        EXPECT_NE(text.skipped->message.find("save it as ."), std::string::npos);
    }
    // An old binary file renamed to .docx, and a password-protected .docx (an OLE file with an
    // "EncryptedPackage" stream).
    const std::string ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    EXPECT_EQ(reason(ole + "junk", "renamed.docx"), SkipReason::kLegacyFormat);
    const std::string stream("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
    EXPECT_EQ(reason(ole + "...." + stream, "locked.xlsx"), SkipReason::kEncrypted);
}

TEST(ReadDocument, BadFilesHaveNamedReasons) {
    EXPECT_EQ(reason(std::string("\x7F"
                                 "ELF\x02\x01\x01\x00\x00\x00",
                                 10),
                     "notes.txt"),
              SkipReason::kNotText);
    EXPECT_EQ(reason("text", "image.png"), SkipReason::kUnsupportedFormat);
    EXPECT_EQ(reason("text", "README"), SkipReason::kUnsupportedFormat);
    EXPECT_EQ(reason(" \n\n \n", "blank.txt"), SkipReason::kEmpty);
    EXPECT_EQ(skip_reason_name(SkipReason::kNoTextLayer), "no_text_layer");
}

TEST(ReadDocument, OverTheSizeCapIsSkippedUnread) {
    const fs::path big = write_file("big.txt", std::string(4096, 'a'));
    const auto text = read_document(big, 1024);
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kTooLarge);
    EXPECT_TRUE(read_document(big).blocks.size() == 1);
    // A 2 GiB file (sparse: it takes no disk) under the default cap is refused unread.
    const fs::path huge = write_file("huge.pdf", "");
    fs::resize_file(huge, 2ull << 30);
    const auto refused = read_document(huge);
    fs::remove(huge);
    ASSERT_TRUE(refused.skipped);
    EXPECT_EQ(refused.skipped->reason, SkipReason::kTooLarge);
    EXPECT_NE(refused.skipped->message.find("2048 MiB"), std::string::npos);
    EXPECT_EQ(read_document(big.parent_path() / "missing.txt").skipped->reason,
              SkipReason::kUnreadable);
}

// One bad file among good ones: the good ones import, the bad one says why.
TEST(ReadDocument, AnImportGoesOnPastABadFile) {
    std::vector<Document> docs;
    for (const fs::path& p : {write_file("good.md", "# 第一章\n内容。"),
                              write_file("junk.txt", std::string("\0\0\0\x01", 4)),
                              write_file("old.doc", "x"), write_file("good.txt", "第二个文件。")}) {
        docs.push_back(import_document(p));
    }
    ASSERT_EQ(docs.size(), 4u);
    EXPECT_EQ(docs[0].chunks.size(), 1u);
    EXPECT_EQ(docs[0].chunks[0].heading_path, std::vector<std::string>{"第一章"});
    EXPECT_EQ(docs[1].skipped->reason, SkipReason::kNotText);
    EXPECT_TRUE(docs[1].chunks.empty());
    EXPECT_EQ(docs[2].skipped->reason, SkipReason::kLegacyFormat);
    EXPECT_EQ(docs[3].chunks.at(0).text, "第二个文件。");
    EXPECT_TRUE(docs[3].file.ends_with("good.txt"));
}

}  // namespace
}  // namespace qe::documents
