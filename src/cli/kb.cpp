// qwen-edge kb: the knowledge bases of the data folder.
//
//   kb create NAME                      an empty base
//   kb add NAME PATH... [--watch]       files and folders in (folders kept in sync)
//   kb list [NAME]                      the bases, or one base's documents
//   kb rm NAME [FILE]                   a base, or one of its documents
//   kb search NAME QUESTION [--json]    the best passages
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/import_progress.h"
#include "cli/kb_models.h"
#include "core/error.h"
#include "fetch/progress.h"
#include "library/folder_watch.h"
#include "library/importer.h"

namespace qe::cli {
namespace {

namespace fs = std::filesystem;

struct KbArgs {
    KbModelArgs models;
    std::string name, question, file;
    std::vector<std::string> paths;
    bool watch = false, json = false;
    int rescan_s = 300;
    int top_k = 5;
};

int create(const KbArgs& a) {
    library::Bases bases = a.models.bases();
    bases.create(a.name);
    std::printf("created knowledge base '%s' (%s)\n", a.name.c_str(),
                bases.path_of(a.name).string().c_str());
    return 0;
}

library::ImportReport import_once(knowledge::KnowledgeBase& base,
                                  const std::vector<fs::path>& paths, KbModels& models) {
    ImportProgressPrinter printer(stderr);
    library::ImportOptions options;
    options.embed = models.embed_passages();
    options.progress = [&](const library::ImportProgress& p) { printer.update(p); };
    options.on_file = [&](const library::FileResult& r) { printer.report(r); };
    library::ImportReport report = library::import_paths(base, paths, options);
    printer.finish();
    std::fprintf(stderr, "kb: %s\n", import_summary(report).c_str());
    return report;
}

int add(const KbArgs& a) {
    library::Bases bases = a.models.bases();
    KbModels models(a.models);
    auto base = bases.open(a.name, models.embedder_info());
    if (base->embedder() && !models.embedder_info())
        std::fprintf(stderr,
                     "kb: note: the base was built with the embedding model %s; without "
                     "--embedding-model the new passages get no vectors (keyword search only)\n",
                     base->embedder()->name.c_str());
    const std::vector<fs::path> paths(a.paths.begin(), a.paths.end());
    import_once(*base, paths, models);
    if (!a.watch) return 0;

    library::FolderWatch watch(paths, std::chrono::seconds(a.rescan_s));
    std::fprintf(stderr, "kb: watching %zu path(s) (%s, a full rescan every %d s); Ctrl-C stops\n",
                 paths.size(), watch.has_events() ? "file events" : "no file events", a.rescan_s);
    watch.run([&] {
        // A share that is offline for a while (a NAS rebooting) must not end the watch.
        try {
            import_once(*base, paths, models);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "kb: error: %s (trying again at the next change or rescan)\n",
                         e.what());
        }
    });
    return 0;
}

int list(const KbArgs& a) {
    library::Bases bases = a.models.bases();
    if (a.name.empty()) {
        const auto names = bases.names();
        if (names.empty())
            std::printf("no knowledge bases in %s (create one: qwen-edge kb create NAME)\n",
                        (bases.data_dir() / "knowledge").string().c_str());
        for (const std::string& n : names) {
            const library::BaseSummary s = bases.summary(n);
            std::printf("%s\t%lld documents\t%lld chunks\t%s\t%s\n", n.c_str(),
                        (long long)s.documents, (long long)s.chunks,
                        fetch::format_bytes(s.bytes).c_str(),
                        s.embedder ? ("embedder " + s.embedder->name).c_str() : "keyword only");
        }
        return 0;
    }
    auto base = bases.open(a.name);
    for (const knowledge::DocumentInfo& d : base->documents())
        std::printf("%lld\tready\t%lld chunks\t%s\t%s\n", (long long)d.id, (long long)d.chunk_count,
                    fetch::format_bytes(library::size_of_content_hash(d.content_hash)).c_str(),
                    d.path.c_str());
    return 0;
}

// FILE as stored, as a path to the stored key, a document id, or a file name only one
// document has.
std::string find_document(knowledge::KnowledgeBase& base, const std::string& file) {
    const auto docs = base.documents();
    for (const auto& d : docs)
        if (d.path == file || d.path == library::document_key(file) || std::to_string(d.id) == file)
            return d.path;
    std::vector<std::string> named;
    for (const auto& d : docs)
        if (fs::path(d.path).filename() == file) named.push_back(d.path);
    if (named.size() == 1) return named[0];
    if (named.size() > 1)
        throw Error("'" + file + "' names " + std::to_string(named.size()) +
                    " documents; give the full path (qwen-edge kb list NAME)");
    throw Error("no document '" + file + "' in the base (qwen-edge kb list NAME)");
}

int rm(const KbArgs& a) {
    library::Bases bases = a.models.bases();
    if (a.file.empty()) {
        bases.remove(a.name);
        std::printf("removed knowledge base '%s'\n", a.name.c_str());
        return 0;
    }
    auto base = bases.open(a.name);
    const std::string key = find_document(*base, a.file);
    base->remove_document(key);
    std::printf("removed %s\n", key.c_str());
    return 0;
}

int search(const KbArgs& a) {
    library::Bases bases = a.models.bases();
    KbModels models(a.models);
    auto base = bases.open(a.name, models.embedder_info());
    const auto hits = models.search(*base, a.question, size_t(a.top_k));
    if (hits.empty() && !a.json) std::printf("nothing found\n");
    for (size_t i = 0; i < hits.size(); ++i) {
        const knowledge::SearchHit& h = hits[i];
        if (a.json) {
            const nlohmann::ordered_json line = {
                {"file", h.document_path},
                {"page", h.page ? nlohmann::ordered_json(*h.page) : nullptr},
                {"heading", h.heading},
                {"score", h.score},
                {"text", h.text}};
            std::printf("%s\n",
                        line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                            .c_str());
            continue;
        }
        std::printf("[%zu] %s%s%s (score %.4f)\n", i + 1, h.document_path.c_str(),
                    h.page ? (", page " + std::to_string(*h.page)).c_str() : "",
                    h.heading.empty() ? "" : (" > " + h.heading).c_str(), h.score);
        std::printf("%s\n\n", h.text.c_str());
    }
    return 0;
}

}  // namespace

Runner register_kb(CLI::App& app) {
    auto a = std::make_shared<KbArgs>();
    auto* kb = app.add_subcommand("kb", "Knowledge bases: documents the chat answers from");
    kb->require_subcommand(1);

    auto* c = kb->add_subcommand("create", "Create an empty knowledge base");
    c->add_option("name", a->name, "The base's name (1-64 characters, Chinese allowed)")
        ->required();
    a->models.add_data_dir(*c);

    auto* ad = kb->add_subcommand(
        "add",
        "Import files and folders (recursively; unchanged files are skipped, files "
        "deleted from a folder are removed)");
    ad->add_option("name", a->name, "The base")->required();
    ad->add_option("paths", a->paths, "Files and folders")->required();
    ad->add_flag("--watch", a->watch,
                 "Keep watching: re-import on file changes (inotify) and at every rescan");
    ad->add_option("--rescan", a->rescan_s,
                   "With --watch: seconds between full rescans (a network share sends no file "
                   "events)")
        ->capture_default_str()
        ->check(CLI::Range(1, 7 * 24 * 3600));
    a->models.add_data_dir(*ad);
    a->models.add_embedding(*ad);

    auto* l = kb->add_subcommand("list", "The knowledge bases, or the documents of one");
    l->add_option("name", a->name, "A base: list its documents");
    a->models.add_data_dir(*l);

    auto* r = kb->add_subcommand("rm", "Remove a knowledge base, or one of its documents");
    r->add_option("name", a->name, "The base")->required();
    r->add_option("file", a->file, "A document (its path, file name or id): remove only it");
    a->models.add_data_dir(*r);

    auto* s = kb->add_subcommand("search", "The passages that best answer a question");
    s->add_option("name", a->name, "The base")->required();
    s->add_option("question", a->question, "The question")->required();
    s->add_flag("--json", a->json,
                "One JSON line per passage: file, page (null when none), heading, score, text");
    s->add_option("-k,--top-k", a->top_k, "How many passages")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    a->models.add_data_dir(*s);
    a->models.add_embedding(*s);
    a->models.add_rerank(*s);

    return [a, c, ad, l, r, s] {
        if (c->parsed()) return create(*a);
        if (ad->parsed()) return add(*a);
        if (l->parsed()) return list(*a);
        if (r->parsed()) return rm(*a);
        if (s->parsed()) return search(*a);
        return 2;
    };
}

}  // namespace qe::cli
