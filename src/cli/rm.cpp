// qwen-edge rm NAME: removes a downloaded model (and its unfinished download) from the models
// folder.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "fetch/model_store.h"

namespace qe::cli {

Runner register_rm(CLI::App& app) {
    struct Options {
        std::string name;
        std::string models_dir;
    };
    auto o = std::make_shared<Options>();
    auto* sub = app.add_subcommand("rm", "Remove a downloaded model");
    sub->add_option("name", o->name, "the model's file name, as `qwen-edge list` shows it")
        ->required();
    sub->add_option("--models-dir", o->models_dir, "models folder (as for pull)");
    return [o] {
        const std::string dir = fetch::models_dir(o->models_dir);
        for (const auto& path : fetch::remove_model(dir, o->name)) {
            std::printf("removed %s\n", path.c_str());
        }
        return 0;
    };
}

}  // namespace qe::cli
