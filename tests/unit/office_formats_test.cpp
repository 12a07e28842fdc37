// DOCX, PPTX, XLSX and OFD fixtures built here with libzip, read through read_document_bytes().
#include "documents/office_formats.h"

#include <gtest/gtest.h>

#include "documents/chunker.h"
#include "documents/read_document.h"
#include "support/zip_fixture.h"

namespace qe::documents {
namespace {

using test::make_zip;

const char* const kW = R"(xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main")";
const char* const kR =
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships")";

std::string docx_body(const std::string& body) {
    return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document ") + kW +
           "><w:body>" + body + "</w:body></w:document>";
}

std::string para(const std::string& text, const std::string& style = "") {
    const std::string ppr =
        style.empty() ? "" : "<w:pPr><w:pStyle w:val=\"" + style + "\"/></w:pPr>";
    return "<w:p>" + ppr + "<w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

std::string cell(const std::string& text) {
    return "<w:tc>" + para(text) + "</w:tc>";
}

DocumentText read(const std::string& bytes, const char* name) {
    return read_document_bytes(bytes, name);
}

TEST(Docx, HeadingsFromStylesAndOutlineLevels) {
    // Chinese Word names its heading styles "1", "2" with the name "heading 1".
    const std::string styles = std::string("<w:styles ") + kW +
                               "><w:style w:type=\"paragraph\" w:styleId=\"1\"><w:name "
                               "w:val=\"heading 1\"/></w:style></w:styles>";
    const std::string body =
        para("第一章 总则", "1") + para("本办法适用于全体员工。") + para("第一节", "Heading2") +
        "<w:p><w:pPr><w:outlineLvl w:val=\"2\"/></w:pPr><w:r><w:t>细则</w:t></w:r></w:p>" +
        "<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r>"
        "<w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del></w:p>";
    const auto text =
        read(make_zip({{"word/document.xml", docx_body(body)}, {"word/styles.xml", styles}}),
             "制度.docx");
    ASSERT_FALSE(text.skipped) << text.skipped->message;
    ASSERT_EQ(text.blocks.size(), 5u);
    EXPECT_EQ(text.blocks[0].kind, Block::kHeading);
    EXPECT_EQ(text.blocks[0].level, 1);
    EXPECT_EQ(text.blocks[0].text, "第一章 总则");
    EXPECT_EQ(text.blocks[2].level, 2);
    EXPECT_EQ(text.blocks[3].level, 3);
    EXPECT_EQ(text.blocks[4].text, "甲\t乙\n丙");
    const auto chunks = chunk_blocks(text.blocks);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"第一章 总则", "第一节", "细则"}));
}

TEST(Docx, TableRowsWithTheirHeader) {
    const std::string table = "<w:tbl><w:tr>" + cell("产品") + cell("销售额") + "</w:tr><w:tr>" +
                              cell("手机") + cell("1200") + "</w:tr></w:tbl>";
    const auto text = read(make_zip({{"word/document.xml", docx_body(table)}}), "t.docx");
    ASSERT_EQ(text.blocks.size(), 1u);
    EXPECT_EQ(table_row_text(text.blocks[0]), "产品: 手机; 销售额: 1200");
}

TEST(Docx, BrokenArchivesAndPartsAreNamed) {
    EXPECT_EQ(read("PK\x03\x04 not really", "a.docx").skipped->reason, SkipReason::kBroken);
    EXPECT_EQ(read(make_zip({{"other.xml", "<a/>"}}), "a.docx").skipped->reason,
              SkipReason::kBroken);
    EXPECT_EQ(read(make_zip({{"word/document.xml", "<w:document"}}), "a.docx").skipped->reason,
              SkipReason::kBroken);
}

TEST(Docx, EntityExpansionIsRefused) {
    std::string dtd = "<!DOCTYPE w:document [<!ENTITY a0 \"lol\">";
    for (int i = 1; i < 12; ++i) {
        dtd += "<!ENTITY a" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) dtd += "&a" + std::to_string(i - 1) + ";";
        dtd += "\">";
    }
    dtd += "]>";
    const auto text = read(
        make_zip({{"word/document.xml", dtd + docx_body(para("&a11;")).substr(38)}}), "l.docx");
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kBroken);
}

TEST(Docx, ZipBombIsRefused) {
    // 8 MiB of one byte packs to a few KiB: far past the ratio cap.
    const std::string bomb = docx_body(para(std::string(8 << 20, 'a')));
    const auto text = read(make_zip({{"word/document.xml", bomb}}), "bomb.docx");
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kZipBomb);
}

TEST(Docx, PasswordProtectedEntryIsEncrypted) {
    const std::string zip = make_zip({{"word/document.xml", docx_body(para("秘密"))}}, "pw");
    ASSERT_FALSE(zip.empty());
    EXPECT_EQ(read(zip, "secret.docx").skipped->reason, SkipReason::kEncrypted);
}

std::string slide(const std::string& title, const std::string& body) {
    const std::string a = R"(xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main")";
    const std::string p = R"(xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main")";
    return "<p:sld " + a + " " + p +
           "><p:cSld><p:spTree>"
           "<p:sp><p:nvSpPr><p:cNvPr id=\"1\" name=\"t\"/><p:cNvSpPr/><p:nvPr><p:ph "
           "type=\"title\"/>"
           "</p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>" +
           title +
           "</a:t></a:r></a:p></p:txBody></p:sp>"
           "<p:grpSp><p:sp><p:txBody><a:p><a:r><a:t>" +
           body +
           "</a:t></a:r></a:p></p:txBody></p:sp></p:grpSp>"
           "</p:spTree></p:cSld></p:sld>";
}

TEST(Pptx, SlidesInPresentationOrderWithTheirNumbers) {
    // The second slide shown is slide1.xml: order comes from the presentation, not file names.
    const std::string presentation =
        std::string(
            "<p:presentation "
            "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" ") +
        kR +
        "><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId3\"/><p:sldId id=\"257\" r:id=\"rId2\"/>"
        "</p:sldIdLst></p:presentation>";
    const std::string rels =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId2\" Target=\"slides/slide1.xml\" Type=\"x\"/>"
        "<Relationship Id=\"rId3\" Target=\"/ppt/slides/slide2.xml\" Type=\"x\"/></Relationships>";
    const auto text = read(make_zip({{"ppt/presentation.xml", presentation},
                                     {"ppt/_rels/presentation.xml.rels", rels},
                                     {"ppt/slides/slide1.xml", slide("第二页", "下一步计划")},
                                     {"ppt/slides/slide2.xml", slide("第一页", "项目背景")}}),
                           "deck.pptx");
    ASSERT_FALSE(text.skipped) << text.skipped->message;
    ASSERT_EQ(text.blocks.size(), 4u);
    EXPECT_EQ(text.blocks[0].text, "第一页");
    EXPECT_EQ(text.blocks[0].kind, Block::kHeading);
    EXPECT_EQ(text.blocks[1].text, "项目背景");
    EXPECT_EQ(text.blocks[1].page, 1);
    EXPECT_EQ(text.blocks[3].text, "下一步计划");
    EXPECT_EQ(text.blocks[3].page, 2);
    const auto chunks = chunk_blocks(text.blocks);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[1].page, 2);
    EXPECT_EQ(chunks[1].heading_path, std::vector<std::string>{"第二页"});
}

// A workbook of one sheet named `name`, with `strings` as its shared strings when not empty.
std::string xlsx(const std::string& name, const std::string& sheet, const std::string& strings) {
    const std::string workbook =
        std::string(
            "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" ") +
        kR + "><sheets><sheet name=\"" + name +
        "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    const std::string rels =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\" Type=\"x\"/></Relationships>";
    test::ZipEntries entries = {{"xl/workbook.xml", workbook},
                                {"xl/_rels/workbook.xml.rels", rels},
                                {"xl/worksheets/sheet1.xml", sheet}};
    if (!strings.empty()) entries.emplace_back("xl/sharedStrings.xml", strings);
    return make_zip(entries);
}

TEST(Xlsx, EachRowWithItsHeaderUnderTheSheetName) {
    const std::string strings =
        "<sst><si><t>地区</t></si><si><r><t>销售</t></r><r><t>额</t></r></si><si><t>华东</t></si></"
        "sst>";
    const std::string sheet =
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
        "<row r=\"2\"/>"
        "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>2</v></c><c r=\"B3\" "
        "t=\"inlineStr\"><is><t>备注</t></is></c>"
        "<c r=\"C3\"><v>1200.5</v></c></row></sheetData></worksheet>";
    const auto text = read(xlsx("销售", sheet, strings), "sales.xlsx");
    ASSERT_FALSE(text.skipped) << text.skipped->message;
    ASSERT_EQ(text.blocks.size(), 2u);
    EXPECT_EQ(text.blocks[0].text, "销售");
    EXPECT_EQ(table_row_text(text.blocks[1]), "地区: 华东; column 2: 备注; 销售额: 1200.5");
}

TEST(Xlsx, ABadSharedStringIndexIsBroken) {
    const std::string sheet =
        "<worksheet><sheetData><row><c t=\"s\"><v>7</v></c></row></sheetData></worksheet>";
    const auto text = read(xlsx("s", sheet, ""), "bad.xlsx");
    ASSERT_TRUE(text.skipped);
    EXPECT_EQ(text.skipped->reason, SkipReason::kBroken);
}

TEST(Ofd, PagesInLinesWithTheirTemplate) {
    const std::string ns = "xmlns:ofd=\"http://www.ofdspec.org/2016\"";
    const std::string ofd = "<ofd:OFD " + ns +
                            "><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
                            "</ofd:DocBody></ofd:OFD>";
    const std::string document =
        "<ofd:Document " + ns +
        "><ofd:CommonData><ofd:TemplatePage ID=\"2\" BaseLoc=\"Tpls/Tpl_0/Content.xml\"/>"
        "</ofd:CommonData><ofd:Pages><ofd:Page ID=\"1\" BaseLoc=\"Pages/Page_0/Content.xml\"/>"
        "<ofd:Page ID=\"3\" "
        "BaseLoc=\"/Doc_0/Pages/Page_1/Content.xml\"/></ofd:Pages></ofd:Document>";
    const auto text_object = [&](double x, double y, const std::string& text) {
        return "<ofd:TextObject ID=\"9\" Boundary=\"" + std::to_string(x) + " " +
               std::to_string(y) + " 40 5\" Font=\"1\" Size=\"3\"><ofd:TextCode X=\"0\" Y=\"3\">" +
               text + "</ofd:TextCode></ofd:TextObject>";
    };
    const std::string tpl = "<ofd:Page " + ns + "><ofd:Content><ofd:Layer>" +
                            text_object(10, 20, "购买方名称:") + text_object(10, 30, "价税合计:") +
                            "</ofd:Layer></ofd:Content></ofd:Page>";
    const std::string page1 =
        "<ofd:Page " + ns + "><ofd:Template TemplateID=\"2\"/><ofd:Content><ofd:Layer>" +
        text_object(60, 30.5, "¥1,130.00") + text_object(50, 20, "某某科技有限公司") +
        text_object(10, 5, "电子发票（普通发票）") + "</ofd:Layer></ofd:Content></ofd:Page>";
    const std::string page2 = "<ofd:Page " + ns + "><ofd:Content><ofd:Layer>" +
                              text_object(10, 10, "第二页") +
                              "</ofd:Layer></ofd:Content></ofd:Page>";
    const auto text = read(make_zip({{"OFD.xml", ofd},
                                     {"Doc_0/Document.xml", document},
                                     {"Doc_0/Tpls/Tpl_0/Content.xml", tpl},
                                     {"Doc_0/Pages/Page_0/Content.xml", page1},
                                     {"Doc_0/Pages/Page_1/Content.xml", page2}}),
                           "发票.ofd");
    ASSERT_FALSE(text.skipped) << text.skipped->message;
    ASSERT_EQ(text.blocks.size(), 4u);
    EXPECT_EQ(text.blocks[0].text, "电子发票（普通发票）");
    EXPECT_EQ(text.blocks[1].text, "购买方名称: 某某科技有限公司");
    EXPECT_EQ(text.blocks[2].text, "价税合计: ¥1,130.00");
    EXPECT_EQ(text.blocks[2].page, 1);
    EXPECT_EQ(text.blocks[3].text, "第二页");
    EXPECT_EQ(text.blocks[3].page, 2);
}

TEST(Ofd, MissingRootIsBroken) {
    EXPECT_EQ(read(make_zip({{"Doc_0/Document.xml", "<a/>"}}), "x.ofd").skipped->reason,
              SkipReason::kBroken);
}

}  // namespace
}  // namespace qe::documents
