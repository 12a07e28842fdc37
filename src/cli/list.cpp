// qwen-edge list: the models in the models folder and unfinished downloads, then the models of the
// catalogue by name, with their quantizations and which of them are downloaded.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "fetch/model_catalogue.h"
#include "fetch/model_source.h"
#include "fetch/model_store.h"
#include "fetch/progress.h"

namespace qe::cli {
namespace {

using fetch::CachedModel;
using fetch::CatalogueEntry;

std::string upper(std::string s) {
    for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// The catalogue name of a downloaded file ("qwen3:0.6b:q8_0"), or "".
std::string catalogue_name_of(const CachedModel& m) {
    const CatalogueEntry* e = fetch::catalogue_entry_of_file(m.name);
    if (!e) return "";
    for (const auto& f : e->quants) {
        if (f.file == m.name) return e->short_name() + ":" + f.quant;
    }
    return e->short_name();
}

// The quantizations of `e` whose file is downloaded (not partial) in `models`.
std::vector<std::string> downloaded_quants(const CatalogueEntry& e,
                                           const std::vector<CachedModel>& models) {
    std::vector<std::string> out;
    for (const auto& f : e.quants) {
        for (const auto& m : models) {
            if (!m.partial && m.name == f.file) out.push_back(f.quant);
        }
    }
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

// "q8_0*, q4_0, ...; split, not loadable: q8_0" (* marks the default).
std::string quant_summary(const CatalogueEntry& e) {
    std::vector<std::string> whole, split;
    for (const auto& f : e.quants) {
        if (f.parts > 1) {
            split.push_back(f.quant);
        } else {
            whole.push_back(f.quant + (f.quant == e.default_quant ? "*" : ""));
        }
    }
    std::string out = join(whole);
    if (!split.empty()) out += "; split in parts, not loadable: " + join(split);
    if (e.modelscope_repo.empty()) out += "; Hugging Face only";
    return out;
}

nlohmann::json catalogue_json(const std::vector<CachedModel>& models) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : fetch::model_catalogue()) {
        nlohmann::json quants = nlohmann::json::array();
        for (const auto& f : e.quants)
            quants.push_back({{"quant", f.quant}, {"file", f.file}, {"parts", f.parts}});
        out.push_back(
            {{"name", e.short_name()},
             {"display_name", e.display_name},
             {"kind", fetch::kind_name(e.kind)},
             {"size", upper(e.size)},
             {"parameters", e.parameters},
             {"hf_repo", e.hf_repo},
             {"modelscope_repo", e.modelscope_repo.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(e.modelscope_repo)},
             {"quants", quants},
             {"default_quant", e.default_quant},
             {"thinks", e.thinks},
             {"thinking_default", e.thinking_default},
             {"downloaded", downloaded_quants(e, models)}});
    }
    return out;
}

void print_catalogue(const std::vector<CachedModel>& models) {
    std::printf(
        "\nModels by name (`qwen-edge pull NAME[:QUANT]` downloads one, "
        "`--model NAME` runs it; * the default quantization):\n");
    std::printf("  %-20s  %-9s  %-4s  %-10s  %s\n", "NAME", "KIND", "SIZE", "DOWNLOADED",
                "QUANTIZATIONS");
    for (const auto& e : fetch::model_catalogue()) {
        const std::string have = join(downloaded_quants(e, models));
        std::printf("  %-20s  %-9s  %-4s  %-10s  %s\n", e.short_name().c_str(),
                    fetch::kind_name(e.kind), upper(e.size).c_str(),
                    have.empty() ? "-" : have.c_str(), quant_summary(e).c_str());
    }
}

}  // namespace

Runner register_list(CLI::App& app) {
    struct Options {
        std::string models_dir;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand(
        "list", "List the downloaded models and the models qwen-edge knows by name");
    sub->add_option("--models-dir", o->models_dir, "models folder (as for pull)");
    sub->add_flag("--json", o->json, "print one JSON object instead of text");
    return [o] {
        const std::string dir = fetch::models_dir(o->models_dir);
        const auto models = fetch::list_models(dir);
        std::string default_path;
        try {
            default_path = fetch::resolve_model(std::nullopt, o->models_dir);
        } catch (const Error&) {
        }
        if (o->json) {
            nlohmann::json j = {{"models_dir", dir},
                                {"models", nlohmann::json::array()},
                                {"catalogue", catalogue_json(models)}};
            for (const auto& m : models) {
                const std::string name = catalogue_name_of(m);
                j["models"].push_back(
                    {{"name", m.name},
                     {"path", m.path},
                     {"bytes", m.bytes},
                     {"partial", m.partial},
                     {"sha256", m.sha256.empty() ? nullptr : nlohmann::json(m.sha256)},
                     {"default", !m.partial && m.path == default_path},
                     {"catalogue_name", name.empty() ? nullptr : nlohmann::json(name)}});
            }
            std::printf("%s\n", j.dump(2).c_str());
            return 0;
        }
        if (models.empty()) {
            std::printf("no models in %s; get one with `qwen-edge pull`\n", dir.c_str());
        } else {
            std::printf("%s\n", dir.c_str());
        }
        size_t width = 0;
        for (const auto& m : models) width = std::max(width, m.name.size());
        for (const auto& m : models) {
            std::string state;
            if (m.partial) {
                state = "unfinished download: the same `qwen-edge pull` resumes it";
            } else {
                state =
                    m.sha256.empty() ? "not verified" : "verified sha256 " + m.sha256.substr(0, 12);
                if (m.path == default_path) state += "  (default)";
                if (const std::string name = catalogue_name_of(m); !name.empty())
                    state += "  " + name;
            }
            std::printf("  %-*s  %10s  %s\n", int(width), m.name.c_str(),
                        fetch::format_bytes(m.bytes).c_str(), state.c_str());
        }
        print_catalogue(models);
        return 0;
    };
}

}  // namespace qe::cli
