// The zip caps count what is inflated, whatever the archive claims.
#include "documents/zip_archive.h"

#include <gtest/gtest.h>

#include "documents/skip_reason.h"
#include "support/skip_reason_of.h"
#include "support/zip_fixture.h"

namespace qe::documents {
namespace {

using test::make_zip;

std::optional<SkipReason> reason_of(const std::function<void()>& f) {
    return test::skip_reason_of(f);
}

TEST(ZipArchive, ReadsEntriesAndMissesNone) {
    const std::string bytes = make_zip({{"a/b.xml", "<b/>"}, {"c.txt", "中文"}});
    ZipArchive zip(bytes);
    EXPECT_TRUE(zip.contains("a/b.xml"));
    EXPECT_EQ(zip.read("c.txt"), "中文");
    EXPECT_EQ(zip.read("missing"), std::nullopt);
    EXPECT_EQ(reason_of([&] { zip.read_required("missing", "DOCX"); }), SkipReason::kBroken);
}

TEST(ZipArchive, EveryCapIsAZipBomb) {
    const std::string random_ish = [] {
        std::string s;
        uint32_t x = 1;
        for (int i = 0; i < 4000; ++i) s += char((x = x * 1103515245 + 12345) >> 24);
        return s;
    }();
    const std::string bytes = make_zip({{"a", random_ish}, {"b", random_ish}, {"c", random_ish}});
    EXPECT_EQ(reason_of([&] { ZipArchive(bytes, {.max_entries = 2}); }), SkipReason::kZipBomb);
    EXPECT_EQ(reason_of([&] { ZipArchive(bytes, {.max_entry_bytes = 1000}).read("a"); }),
              SkipReason::kZipBomb);
    EXPECT_EQ(reason_of([&] {
                  ZipArchive zip(bytes, {.max_total_bytes = 10000});
                  zip.read("a"), zip.read("b"), zip.read("c");
              }),
              SkipReason::kZipBomb);
    const std::string zeros = make_zip({{"z", std::string(3 << 20, '\0')}});
    EXPECT_EQ(reason_of([&] { ZipArchive(zeros).read("z"); }), SkipReason::kZipBomb);
}

TEST(ZipArchive, NotAZipIsBroken) {
    EXPECT_EQ(reason_of([] { ZipArchive(std::string_view("hello")); }), SkipReason::kBroken);
    EXPECT_EQ(reason_of([] { ZipArchive(std::string_view()); }), SkipReason::kBroken);
}

TEST(ZipArchive, PartNamesAreNormalized) {
    EXPECT_EQ(normalize_zip_path("/ppt/slides/../media/x.png"), "ppt/media/x.png");
    EXPECT_EQ(normalize_zip_path("a/./b//c"), "a/b/c");
    EXPECT_EQ(normalize_zip_path("../../etc"), "etc");
    EXPECT_EQ(zip_folder("word/document.xml"), "word/");
    EXPECT_EQ(zip_folder("OFD.xml"), "");
}

}  // namespace
}  // namespace qe::documents
