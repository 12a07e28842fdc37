// qwen-edge: one program, many sub-commands. Exit codes: 0 ok, 1 runtime error, 2 usage error.
#include <cstdio>
#include <exception>
#include <utility>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"qwen-edge: a private, offline chat assistant for CPU-only machines"};
    app.set_version_flag("--version", std::string("qwen-edge ") + QE_VERSION);
    app.require_subcommand(1);

    std::vector<std::pair<CLI::App*, qe::cli::Runner>> commands;
    auto add = [&](qe::cli::Runner (*reg)(CLI::App&)) {
        const size_t before = app.get_subcommands({}).size();
        auto runner = reg(app);
        commands.emplace_back(app.get_subcommands({}).at(before), std::move(runner));
    };
    add(qe::cli::register_info);
    add(qe::cli::register_pull);
    add(qe::cli::register_list);
    add(qe::cli::register_rm);
    add(qe::cli::register_serve);
    add(qe::cli::register_chat);
    add(qe::cli::register_logits);
    add(qe::cli::register_generate);
    add(qe::cli::register_tokenize);
    add(qe::cli::register_detokenize);
    add(qe::cli::register_embed);
    add(qe::cli::register_template);
    add(qe::cli::register_bench);
    add(qe::cli::register_kb);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    for (auto& [sub, run] : commands) {
        if (!sub->parsed()) continue;
        try {
            return run();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "qwen-edge %s: error: %s\n", sub->get_name().c_str(), e.what());
            return 1;
        }
    }
    return 2;
}
