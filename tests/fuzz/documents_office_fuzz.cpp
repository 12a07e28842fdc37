// DOCX, PPTX, XLSX and OFD from any bytes. The first byte picks the format and whether the rest
// is the whole archive or the XML of the format's main part, put into an otherwise well-formed
// archive (random bytes are rarely a zip, so the XML readers would seldom run otherwise).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "document_checks.h"
#include "support/zip_fixture.h"

namespace {

const char* const kRels =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Target=\"PART\"/></Relationships>";
const char* const kRelNs =
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

std::string rels(const std::string& target) {
    std::string out = kRels;
    out.replace(out.find("PART"), 4, target);
    return out;
}

// An archive of `format` whose main part holds `xml`.
std::string wrap(int format, const std::string& xml) {
    using qe::test::make_zip;
    switch (format) {
        case 0:
            return make_zip({{"word/document.xml", xml}, {"word/styles.xml", xml}}, nullptr, false);
        case 1:
            return make_zip(
                {{"ppt/presentation.xml", std::string("<p:presentation ") + kRelNs +
                                              "><p:sldIdLst><p:sldId r:id=\"rId1\"/></p:sldIdLst>"
                                              "</p:presentation>"},
                 {"ppt/_rels/presentation.xml.rels", rels("slides/slide1.xml")},
                 {"ppt/slides/slide1.xml", xml}},
                nullptr, false);
        case 2:
            return make_zip({{"xl/workbook.xml", std::string("<workbook ") + kRelNs +
                                                     "><sheets><sheet name=\"s\" r:id=\"rId1\"/>"
                                                     "</sheets></workbook>"},
                             {"xl/_rels/workbook.xml.rels", rels("worksheets/sheet1.xml")},
                             {"xl/sharedStrings.xml", "<sst><si><t>a</t></si></sst>"},
                             {"xl/worksheets/sheet1.xml", xml}},
                            nullptr, false);
        default:
            return make_zip({{"OFD.xml",
                              "<OFD><DocBody><DocRoot>D/Document.xml</DocRoot></DocBody>"
                              "</OFD>"},
                             {"D/Document.xml",
                              "<Document><CommonData><TemplatePage ID=\"1\" BaseLoc=\"T.xml\"/>"
                              "</CommonData><Pages><Page BaseLoc=\"P.xml\"/></Pages></Document>"},
                             {"D/T.xml", xml},
                             {"D/P.xml", xml}},
                            nullptr, false);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const char* const kNames[] = {"a.docx", "a.pptx", "a.xlsx", "a.ofd"};
    const int format = data[0] & 3;
    const bool whole_archive = data[0] & 4;
    const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::string bytes = whole_archive ? rest : wrap(format, rest);
    qe::fuzz::check_document(qe::documents::read_document_bytes(bytes, kNames[format]));
    return 0;
}
