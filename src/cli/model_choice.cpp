#include "cli/model_choice.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "fetch/model_store.h"
#include "synth/quant_plan.h"
#include "synth/synth_model.h"

namespace qe::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDemoFile = "demo-random-weights-qwen2.5-0.5b-q8_0.gguf";

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// The demo needs the real Qwen vocabulary; scripts/setup.sh installs it beside the sources.
std::string demo_tokenizer_json() {
    if (auto v = env("QWEN_EDGE_TOKENIZER_JSON"); !v.empty()) return v;
    return QE_DEFAULT_TOKENIZER_JSON;
}

std::string make_demo(const fs::path& dir) {
    const fs::path path = dir / kDemoFile;
    if (fs::exists(path)) return path.string();
    const std::string tokenizer = demo_tokenizer_json();
    if (!fs::exists(tokenizer))
        throw Error("--demo needs the Qwen vocabulary (" + tokenizer +
                    "): run scripts/setup.sh, or point QWEN_EDGE_TOKENIZER_JSON at a Qwen tokenizer.json");
    std::fprintf(stderr,
                 "qwen-edge: making a demo model with RANDOM weights (its answers are noise) at %s ...\n",
                 path.string().c_str());
    synth::Options o;
    o.shape = synth::qwen25_05b();
    o.type = *synth::parse_file_type("q8_0");
    o.tokenizer_json = tokenizer;
    o.name = "DEMO random weights (answers are noise)";
    fs::create_directories(dir);
    synth::write_gguf(o, synth::build_vocab(tokenizer, o.shape.vocab), path.string());
    return path.string();
}

}  // namespace

std::string models_dir() {
    return fetch::models_dir();
}

std::string choose_model(const std::string& model_arg, bool demo) {
    if (demo && model_arg.empty()) return make_demo(models_dir());
    try {
        // A path, a downloaded model's name, or the downloaded default (what `pull` fetched).
        return fetch::resolve_model_option(model_arg);
    } catch (const Error& e) {
        if (!model_arg.empty()) throw;
        throw Error(std::string(e.what()) +
                    "\nWithout a network (or to try things out): --demo makes a model with random "
                    "weights on the spot; it runs at the real size and speed, but its answers are "
                    "noise.");
    }
}

}  // namespace qe::cli
