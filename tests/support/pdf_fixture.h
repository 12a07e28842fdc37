// Minimal PDF files written in the tests: pages of text in Helvetica (ASCII) and in a CID font
// whose ToUnicode map gives the Chinese characters, with a correct cross-reference table.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace qe::test {

struct PdfPage {
    std::string ascii;   // drawn with Helvetica; may be empty
    std::u32string cjk;  // drawn with the CID font, one glyph per character; may be empty
};

namespace detail {

inline std::string hex4(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v);
    return buf;
}

}  // namespace detail

// `extra_trailer` goes into the trailer dictionary (e.g. an /Encrypt entry).
inline std::string make_pdf(const std::vector<PdfPage>& pages,
                            const std::string& extra_trailer = "") {
    // CIDs 1..n stand for the distinct CJK characters in order of appearance.
    std::u32string glyphs;
    for (const auto& p : pages) {
        for (const char32_t c : p.cjk) {
            if (glyphs.find(c) == std::u32string::npos) glyphs += c;
        }
    }
    std::string cmap =
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def "
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n" +
        std::to_string(glyphs.size()) + " beginbfchar\n";
    for (size_t i = 0; i < glyphs.size(); ++i) {
        cmap +=
            "<" + detail::hex4(unsigned(i + 1)) + "> <" + detail::hex4(unsigned(glyphs[i])) + ">\n";
    }
    cmap += "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end";

    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  // the page tree, once the pages' numbers are known
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 5 0 R >>",
        "<< /Length " + std::to_string(cmap.size()) + " >>\nstream\n" + cmap + "\nendstream",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry "
        "(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R >>",
        "<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 0 1000 1000] "
        "/ItalicAngle 0 /Ascent 900 /Descent -100 /CapHeight 700 /StemV 80 >>",
    };
    std::string kids;
    for (const auto& p : pages) {
        std::string content = "BT /F1 12 Tf 72 720 Td (" + p.ascii + ") Tj ET\n";
        if (!p.cjk.empty()) {
            content += "BT /F2 12 Tf 72 680 Td <";
            for (const char32_t c : p.cjk) content += detail::hex4(unsigned(glyphs.find(c) + 1));
            content += "> Tj ET\n";
        }
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" +
                          content + "endstream");
        const size_t content_id = objects.size();
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
                          std::to_string(content_id) +
                          " 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>");
        kids += std::to_string(objects.size()) + " 0 R ";
    }
    objects[1] =
        "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>";

    std::string pdf = "%PDF-1.4\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const size_t off : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R " +
           extra_trailer + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

}  // namespace qe::test
