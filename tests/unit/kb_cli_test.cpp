// `qwen-edge kb` as a user runs it: a base made, a folder imported (a bad file skipped with its
// reason, the rest imported), searched as JSON lines, kept in sync, documents and bases removed;
// bad names and unknown bases are errors that name them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/reranker_model.h"
#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::output_lines;
using test::run_command;
using test::shell_quote;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kEmbedModel = std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf";

struct KbFolder {
    fs::path root, data, docs;
    explicit KbFolder(const std::string& name) {
        root = fs::path(QE_TEST_TMP_DIR) / name;
        fs::remove_all(root);
        data = root / "data";
        docs = root / "docs";
        fs::create_directories(docs / "sub");
        std::ofstream(docs / "报销制度.md")
            << "# 报销制度\n\n报销需要发票原件和部门审批单。出差报销在一个月内提交。\n";
        std::ofstream(docs / "sub" / "leave.txt")
            << "The vacation policy gives twenty days of paid leave per year.\n";
        std::ofstream(docs / "old.doc") << "legacy";
    }
    test::CommandResult kb(const std::string& args) const {
        return run_command(kBinary + " kb " + args + " --data-dir " + shell_quote(data.string()) +
                           " 2>&1");
    }
};

TEST(KbCli, CreateAddSearchRemove) {
    KbFolder f("kb_cli_basic");
    ASSERT_EQ(f.kb("create 公司制度").exit_code, 0);
    const auto again = f.kb("create 公司制度");
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;

    const auto add = f.kb("add 公司制度 " + shell_quote(f.docs.string()));
    ASSERT_EQ(add.exit_code, 0) << add.output;
    EXPECT_NE(add.output.find("skipped " + (f.docs / "old.doc").string() + " (legacy_format)"),
              std::string::npos)
        << add.output;
    EXPECT_NE(add.output.find("2 added"), std::string::npos) << add.output;

    const auto again_add = f.kb("add 公司制度 " + shell_quote(f.docs.string()));
    EXPECT_NE(again_add.output.find("0 added, 0 updated, 2 unchanged"), std::string::npos)
        << again_add.output;

    const auto search =
        run_command(kBinary + " kb search 公司制度 报销需要哪些材料 --json -k 3 --data-dir " +
                    shell_quote(f.data.string()));
    ASSERT_EQ(search.exit_code, 0) << search.output;
    const auto lines = output_lines(search.output);
    ASSERT_EQ(lines.size(), 1u) << search.output;  // the words occur in one document only
    EXPECT_EQ(lines[0]["file"], (f.docs / "报销制度.md").string());
    EXPECT_TRUE(lines[0]["page"].is_null());
    EXPECT_EQ(lines[0]["heading"], "报销制度");
    EXPECT_NE(lines[0]["text"].get<std::string>().find("发票原件"), std::string::npos);
    EXPECT_TRUE(lines[0]["score"].is_number());

    // A file deleted from the folder leaves the base at the next add.
    fs::remove(f.docs / "sub" / "leave.txt");
    const auto sync = f.kb("add 公司制度 " + shell_quote(f.docs.string()));
    EXPECT_NE(sync.output.find("1 removed"), std::string::npos) << sync.output;
    const auto list = f.kb("list 公司制度");
    EXPECT_EQ(list.output.find("leave.txt"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("报销制度.md"), std::string::npos) << list.output;

    EXPECT_EQ(f.kb("rm 公司制度 报销制度.md").exit_code, 0);
    EXPECT_EQ(f.kb("list 公司制度").output.find("报销制度.md"), std::string::npos);
    EXPECT_EQ(f.kb("rm 公司制度").exit_code, 0);
    EXPECT_EQ(f.kb("list").output.find("公司制度"), std::string::npos);
}

TEST(KbCli, BadNamesAndUnknownBasesAreErrorsNamingThem) {
    KbFolder f("kb_cli_errors");
    const auto unknown = f.kb("search 没有 question");
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.output.find("no knowledge base '没有'"), std::string::npos) << unknown.output;
    const auto bad = f.kb("create ../x");
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.output.find("../x"), std::string::npos) << bad.output;
    ASSERT_EQ(f.kb("create b").exit_code, 0);
    const auto missing = f.kb("add b " + shell_quote((f.root / "nowhere").string()));
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.output.find("nowhere: no such file or folder"), std::string::npos)
        << missing.output;
    EXPECT_EQ(f.kb("rm b nothing.txt").exit_code, 1);
}

TEST(KbCli, AnEmbeddingModelIsRecordedAndRequiredToMatch) {
    KbFolder f("kb_cli_embed");
    ASSERT_EQ(f.kb("create v").exit_code, 0);
    const auto add = f.kb("add v " + shell_quote(f.docs.string()) + " --embedding-model " +
                          shell_quote(kEmbedModel));
    ASSERT_EQ(add.exit_code, 0) << add.output;
    EXPECT_NE(f.kb("list").output.find("embedder q3-q8_0"), std::string::npos)
        << f.kb("list").output;
    const auto search = run_command(kBinary + " kb search v 'paid leave' --json --data-dir " +
                                    shell_quote(f.data.string()) + " --embedding-model " +
                                    shell_quote(kEmbedModel));
    ASSERT_EQ(search.exit_code, 0) << search.output;
    const auto lines = output_lines(search.output);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0]["file"], (f.docs / "sub" / "leave.txt").string());  // keyword + vectors
}

TEST(KbCli, ARerankerReordersThePassagesWithItsScores) {
    KbFolder f("kb_cli_rerank");
    std::ofstream(f.docs / "more.txt") << "More about paid leave: ask your manager for leave.\n";
    ASSERT_EQ(f.kb("create r").exit_code, 0);
    ASSERT_EQ(f.kb("add r " + shell_quote(f.docs.string())).exit_code, 0);
    const std::string reranker = test::write_reranker("kb_cli", test::RerankForm::kFullHead);
    const auto r =
        run_command(kBinary + " kb search r 'paid leave' --json --data-dir " +
                    shell_quote(f.data.string()) + " --rerank-model " + shell_quote(reranker));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto lines = output_lines(r.output);
    ASSERT_EQ(lines.size(), 2u) << r.output;
    // The reranker's scores: probabilities, best first (fused scores are about 1/61).
    for (const auto& l : lines) {
        EXPECT_GE(l["score"].get<double>(), 0.0);
        EXPECT_LE(l["score"].get<double>(), 1.0);
    }
    EXPECT_GE(lines[0]["score"].get<double>(), lines[1]["score"].get<double>());
    EXPECT_NE(lines[0]["score"].get<double>(), 1.0 / 61) << r.output;
}

TEST(KbCli, ChatFromABaseListsTheSourcesUnderEachAnswer) {
    KbFolder f("kb_cli_chat");
    ASSERT_EQ(f.kb("create 制度").exit_code, 0);
    ASSERT_EQ(f.kb("add 制度 " + shell_quote(f.docs.string())).exit_code, 0);
    const std::string input = test::write_input("kb_chat_in.txt", "报销需要哪些材料\nzebra\n");
    const auto r = run_command(kBinary + " chat -m " + shell_quote(kEmbedModel) +
                               " -n 2 -c 1024 -t 1 --kb 制度 --data-dir " +
                               shell_quote(f.data.string()) + " < " + shell_quote(input) + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const size_t sources =
        r.output.find("Sources:\n  [1] " + (f.docs / "报销制度.md").string() + ", 报销制度\n");
    EXPECT_NE(sources, std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("[2]"), std::string::npos) << r.output;  // one document matches
    EXPECT_NE(r.output.find("(no passage of the knowledge base matched the question)"),
              std::string::npos)
        << r.output;
    const auto unknown =
        run_command(kBinary + " chat -m " + shell_quote(kEmbedModel) + " --kb 没有 --data-dir " +
                    shell_quote(f.data.string()) + " < /dev/null 2>&1");
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.output.find("no knowledge base '没有'"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace qe
