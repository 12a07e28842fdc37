// qwen-edge list: the models in the models folder, and unfinished downloads.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "fetch/model_source.h"
#include "fetch/model_store.h"
#include "fetch/progress.h"

namespace qe::cli {

Runner register_list(CLI::App& app) {
    struct Options {
        std::string models_dir;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("list", "List the downloaded models");
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
            nlohmann::json j = {{"models_dir", dir}, {"models", nlohmann::json::array()}};
            for (const auto& m : models) {
                j["models"].push_back(
                    {{"name", m.name},
                     {"path", m.path},
                     {"bytes", m.bytes},
                     {"partial", m.partial},
                     {"sha256", m.sha256.empty() ? nullptr : nlohmann::json(m.sha256)},
                     {"default", !m.partial && m.path == default_path}});
            }
            std::printf("%s\n", j.dump(2).c_str());
            return 0;
        }
        if (models.empty()) {
            std::printf("no models in %s; get one with `qwen-edge pull`\n", dir.c_str());
            return 0;
        }
        std::printf("%s\n", dir.c_str());
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
            }
            std::printf("  %-*s  %10s  %s\n", int(width), m.name.c_str(),
                        fetch::format_bytes(m.bytes).c_str(), state.c_str());
        }
        return 0;
    };
}

}  // namespace qe::cli
