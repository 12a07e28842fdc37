// Files and folders into a base: progress by files and bytes, hidden and lock files left out, a
// bad file skipped with its reason while the rest goes in, vectors from the embed callback, and
// on the next pass unchanged files left alone, changed ones replaced, a file gone bad or deleted
// removed.
#include "library/importer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/knowledge_base_file.h"

namespace qe::library {
namespace {

namespace fs = std::filesystem;

TEST(Importer, ImportsSyncsAndReports) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "importer_docs";
    fs::remove_all(dir);
    fs::create_directories(dir / ".hidden");
    std::ofstream(dir / "a.md") << "# 报销\n\n报销需要发票原件。\n";
    std::ofstream(dir / "b.txt") << "Leave: twenty days a year.\n";
    std::ofstream(dir / "old.doc") << "legacy";
    std::ofstream(dir / ".hidden" / "x.txt") << "never imported";
    std::ofstream(dir / "~$a.docx") << "lock";

    const knowledge::EmbedderInfo embedder{"test-embedder", "d", 4, "q"};
    knowledge::KnowledgeBase base(test::fresh_knowledge_base("importer"), embedder);
    size_t embedded = 0;
    std::vector<ImportProgress> progress;
    std::vector<FileResult> results;
    ImportOptions options;
    options.embed = [&](std::span<const std::string> texts) {
        embedded += texts.size();
        return std::vector<std::vector<float>>(texts.size(), {1, 0, 0, 0});
    };
    options.progress = [&](const ImportProgress& p) { progress.push_back(p); };
    options.on_file = [&](const FileResult& r) { results.push_back(r); };
    const std::vector<fs::path> paths = {dir};

    const ImportReport first = import_paths(base, paths, options);
    EXPECT_EQ(first.count(Outcome::kAdded), 2u);
    EXPECT_EQ(first.count(Outcome::kSkipped), 1u);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[2].document, document_key(dir / "old.doc"));
    EXPECT_EQ(results[2].reason, "legacy_format");
    ASSERT_EQ(progress.size(), 4u);  // before each file, and once at the end
    EXPECT_EQ(progress[0].files_total, 3u);
    EXPECT_EQ(progress[0].current, (dir / "a.md").string());
    EXPECT_EQ(progress.back().files_done, 3u);
    EXPECT_EQ(progress.back().bytes_done, progress.back().bytes_total);
    EXPECT_TRUE(progress.back().current.empty());
    EXPECT_EQ(embedded, size_t(base.chunk_count()));
    EXPECT_EQ(base.vector_search(std::vector<float>{1, 0, 0, 0}, 10).size(), embedded);

    // Unchanged, changed, gone bad, deleted.
    std::ofstream(dir / "a.md") << "# 报销\n\n报销需要发票原件和审批单。\n";
    std::ofstream(dir / "b.txt", std::ios::binary) << std::string("\0\1\2\3\0\0binary", 12);
    std::ofstream(dir / "c.txt") << "a new file.\n";
    const ImportReport second = import_paths(base, paths, options);
    EXPECT_EQ(second.count(Outcome::kUpdated), 1u);
    EXPECT_EQ(second.count(Outcome::kAdded), 1u);
    EXPECT_EQ(second.count(Outcome::kSkipped), 2u);  // old.doc, and b.txt now binary
    EXPECT_FALSE(base.document(document_key(dir / "b.txt")));
    EXPECT_EQ(base.keyword_search("审批单", 5).size(), 1u);

    fs::remove(dir / "c.txt");
    const ImportReport third = import_paths(base, paths, options);
    EXPECT_EQ(third.count(Outcome::kRemoved), 1u);
    EXPECT_EQ(third.count(Outcome::kUnchanged), 1u);
    ASSERT_EQ(base.documents().size(), 1u);
    EXPECT_EQ(base.documents()[0].path, document_key(dir / "a.md"));
    base.check_integrity();
}

TEST(Importer, AMissingPathIsAnErrorNamingIt) {
    const std::vector<fs::path> paths = {fs::path(QE_TEST_TMP_DIR) / "no_such_folder"};
    try {
        files_to_import(paths);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_folder: no such file or folder"),
                  std::string::npos);
    }
}

}  // namespace
}  // namespace qe::library
