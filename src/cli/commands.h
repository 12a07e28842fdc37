// One function per sub-command registers it on the CLI11 app; each lives in its own file.
// A sub-command's callback returns the process exit code: 0 ok, 1 runtime error, 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace qe::cli {

using Runner = std::function<int()>;

// Each register_* adds its sub-command to `app` and returns the function that runs it.
// (sub-commands are added here as they land)
Runner register_info(CLI::App& app);
Runner register_pull(CLI::App& app);
Runner register_list(CLI::App& app);
Runner register_rm(CLI::App& app);
Runner register_serve(CLI::App& app);
Runner register_chat(CLI::App& app);
Runner register_logits(CLI::App& app);
Runner register_generate(CLI::App& app);
Runner register_tokenize(CLI::App& app);
Runner register_detokenize(CLI::App& app);
Runner register_embed(CLI::App& app);
Runner register_template(CLI::App& app);
Runner register_bench(CLI::App& app);
Runner register_kb(CLI::App& app);

}  // namespace qe::cli
