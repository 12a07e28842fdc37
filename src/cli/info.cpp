// qwen-edge info MODEL [--json]: what a model file is, without running it.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/model_choice.h"
#include "core/error.h"
#include "engine/draft_model.h"
#include "model/hybrid_state.h"
#include "model/loaded_model.h"
#include "model/model_file.h"
#include "model/model_info.h"
#include "tokenizer/vocab_difference.h"

namespace qe::cli {
namespace {

using json = nlohmann::json;

// A JSON-quoted string: token texts may hold control characters or invalid UTF-8.
std::string quote(const std::string& s) {
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string human_count(int64_t n) {
    char buf[32];
    if (n >= 1000000000) {
        std::snprintf(buf, sizeof buf, "%.2fB", double(n) / 1e9);
    } else if (n >= 1000000) {
        std::snprintf(buf, sizeof buf, "%.2fM", double(n) / 1e6);
    } else if (n >= 1000) {
        std::snprintf(buf, sizeof buf, "%.1fK", double(n) / 1e3);
    } else {
        std::snprintf(buf, sizeof buf, "%" PRId64, n);
    }
    return buf;
}

std::string human_bytes(uint64_t n) {
    char buf[32];
    if (n >= (1ull << 30)) {
        std::snprintf(buf, sizeof buf, "%.2f GiB", double(n) / double(1ull << 30));
    } else if (n >= (1ull << 20)) {
        std::snprintf(buf, sizeof buf, "%.2f MiB", double(n) / double(1ull << 20));
    } else {
        std::snprintf(buf, sizeof buf, "%.1f KiB", double(n) / 1024.0);
    }
    return buf;
}

json token_json(const SpecialToken& t) {
    if (t.id < 0) return nullptr;
    json j = {{"id", t.id}};
    j["text"] = t.text ? json(*t.text) : json(nullptr);
    return j;
}

std::string token_text(const char* label, const SpecialToken& t) {
    if (t.id < 0) return std::string(label) + " none";
    return std::string(label) + " " + std::to_string(t.id) + (t.text ? " " + quote(*t.text) : "");
}

// Tensors the forward pass does not read: multi-token-prediction blocks (a GGUF's blk.N with
// N >= layers, a Hugging Face folder's mtp.*) and a vision tower's (GGUF v.* and mm.*, a
// folder's model.visual.*). Text generation runs without them.
struct IgnoredTensors {
    int mtp = 0, vision = 0;
};

IgnoredTensors ignored_tensors(const ModelFile& model) {
    IgnoredTensors n;
    const int layers = model.config().n_layers;
    for (const TensorView& t : model.tensors()) {
        if (t.name.starts_with("v.") || t.name.starts_with("mm.") ||
            t.name.starts_with("model.visual.")) {
            ++n.vision;
        } else if (t.name.starts_with("mtp.")) {
            ++n.mtp;
        } else if (t.name.starts_with("blk.")) {
            const int block = std::atoi(t.name.c_str() + 4);
            n.mtp += block >= layers;
        }
    }
    return n;
}

json info_json(const ModelFile& model, const ModelInfo& info) {
    const ModelConfig& c = model.config();
    json j;
    j["path"] = model.path();
    j["format"] = info.format;
    if (info.gguf_version) j["gguf_version"] = info.gguf_version;
    j["architecture"] = c.architecture;
    j["name"] = c.name;
    j["parameters"] = info.parameters;
    j["file_type"] = info.file_type_id
                         ? json{{"id", *info.file_type_id},
                                {"name", info.file_type ? json(*info.file_type) : json(nullptr)}}
                         : json(nullptr);
    j["dominant_type"] = info.dominant_type;
    j["dominant_share"] = info.dominant_share;
    j["tensor_count"] = model.tensors().size();
    j["tensor_types"] = info.tensor_types;
    j["layers"] = c.n_layers;
    j["dim"] = c.dim;
    j["heads"] = c.n_heads;
    j["kv_heads"] = c.n_kv_heads;
    j["head_dim"] = c.head_dim;
    j["ffn_dim"] = c.ffn_dim;
    j["context_length"] = c.context_length;
    j["vocab_size"] = c.vocab_size;
    j["rope_theta"] = c.rope_theta;
    j["rms_eps"] = c.rms_eps;
    j["tied_embeddings"] = c.tied_embeddings;
    j["special_tokens"] = {{"bos", token_json(info.bos)},
                           {"eos", token_json(info.eos)},
                           {"pad", token_json(info.pad)}};
    j["add_bos"] = c.add_bos;
    j["chat_template"] = c.has_chat_template;
    j["weight_bytes"] = info.weight_bytes;
    j["file_bytes"] = info.file_bytes;
    if (c.full_attention_interval > 0) {
        const IgnoredTensors ignored = ignored_tensors(model);
        j["hybrid"] = {{"delta_net_layers", c.n_delta_net_layers()},
                       {"attention_layers", c.n_layers - c.n_delta_net_layers()},
                       {"full_attention_interval", c.full_attention_interval},
                       {"rotary_dims", c.rotary_dims()},
                       {"ssm_key_heads", c.ssm_k_heads},
                       {"ssm_value_heads", c.ssm_v_heads},
                       {"ssm_head_dim", c.ssm_head_dim},
                       {"ssm_conv_kernel", c.ssm_conv_kernel},
                       {"recurrent_state_bytes", HybridState::recurrent_bytes(c)},
                       {"mtp_layers", c.mtp_layers},
                       {"ignored_tensors", {{"mtp", ignored.mtp}, {"vision", ignored.vision}}}};
    }
    return j;
}

void print_text(const ModelFile& model, const ModelInfo& info) {
    const ModelConfig& c = model.config();
    auto row = [](const char* key, const std::string& value) {
        std::printf("%-14s %s\n", key, value.c_str());
    };
    row("model", model.path());
    row("format", info.format == "gguf" ? "GGUF v" + std::to_string(info.gguf_version)
                                        : "Hugging Face folder (safetensors)");
    row("architecture", c.architecture);
    row("name", c.name);
    row("parameters", human_count(info.parameters) + " (" + std::to_string(info.parameters) + ")");
    std::string file_type;
    if (info.file_type_id) {
        file_type = (info.file_type ? *info.file_type : "unknown") + " (general.file_type " +
                    std::to_string(*info.file_type_id) + "); ";
    }
    char share[16];
    std::snprintf(share, sizeof share, "%.0f%%", info.dominant_share * 100);
    row("file type", file_type + "most weights " + info.dominant_type + " (" + share + ")");
    std::string types = std::to_string(model.tensors().size()) + ":";
    bool first = true;
    for (const auto& [type, n] : info.tensor_types) {
        types += (first ? " " : ", ") + std::to_string(n) + " " + type;
        first = false;
    }
    row("tensors", types);
    if (c.full_attention_interval > 0) {
        row("layers", std::to_string(c.n_layers) + " (" + std::to_string(c.n_delta_net_layers()) +
                          " Gated DeltaNet, " +
                          std::to_string(c.n_layers - c.n_delta_net_layers()) +
                          " gated full attention)");
        row("delta net", std::to_string(c.ssm_k_heads) + " key / " + std::to_string(c.ssm_v_heads) +
                             " value heads x " + std::to_string(c.ssm_head_dim) + ", conv " +
                             std::to_string(c.ssm_conv_kernel) + ", recurrent state " +
                             human_bytes(HybridState::recurrent_bytes(c)) +
                             " per sequence (speculative decoding's snapshot included)");
        row("rotary",
            std::to_string(c.rotary_dims()) + " of " + std::to_string(c.head_dim) + " head dims");
        const IgnoredTensors ignored = ignored_tensors(model);
        if (ignored.mtp + ignored.vision > 0)
            row("not run", std::to_string(ignored.mtp) + " multi-token-prediction and " +
                               std::to_string(ignored.vision) +
                               " vision tensors (text generation does not use them)");
    } else {
        row("layers", std::to_string(c.n_layers));
    }
    row("hidden size", std::to_string(c.dim));
    row("heads", std::to_string(c.n_heads) + " (" + std::to_string(c.n_kv_heads) +
                     " key/value, head dim " + std::to_string(c.head_dim) + ")");
    row("ffn size", std::to_string(c.ffn_dim));
    row("context", std::to_string(c.context_length));
    row("vocabulary", std::to_string(c.vocab_size));
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, "%g", double(c.rope_theta));
    row("rope theta", numbers);
    std::snprintf(numbers, sizeof numbers, "%g", double(c.rms_eps));
    row("rms eps", numbers);
    row("embeddings",
        c.tied_embeddings ? "tied (the output head reuses token_embd)" : "separate output head");
    row("special", token_text("bos", info.bos) + ", " + token_text("eos", info.eos) + ", " +
                       token_text("pad", info.pad) + "; add_bos " + (c.add_bos ? "true" : "false"));
    row("chat template", c.has_chat_template ? "present" : "absent");
    row("weights", human_bytes(info.weight_bytes) + " (" + std::to_string(info.weight_bytes) +
                       " bytes) in " + human_bytes(info.file_bytes) + " of files");
}

// How the draft model would propose for the model (serve --draft): its id, rows and threshold.
// Throws qe::Error naming the first difference when it does not share the model's tokenizer.
json draft_pairing(const std::string& model_path, const std::string& draft_name) {
    const auto target = LoadedModel::open(model_path);
    const auto draft = LoadedModel::open(choose_model(draft_name, false));
    const std::string difference =
        vocab_difference(draft->tokenizer().vocab(), target->tokenizer().vocab(),
                         "the draft model " + draft->id(), "the model " + target->id());
    if (!difference.empty())
        throw Error("draft model " + draft->id() + " does not share the tokenizer of " +
                    target->id() + ": " + difference);
    const uint64_t draft_bytes = draft->file().weight_bytes(),
                   target_bytes = target->file().weight_bytes();
    return {{"model", draft->id()},
            {"path", draft->file().path()},
            {"vocabulary", draft->config().vocab_size},
            {"weight_bytes", draft_bytes},
            {"min_chain_probability", draft_threshold(draft_bytes, target_bytes)}};
}

}  // namespace

Runner register_info(CLI::App& app) {
    struct Options {
        std::string model;
        std::string draft;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    auto* sub = app.add_subcommand("info", "Describe a model: shape, tensor types, tokens");
    sub->add_option("model", opts->model, "a .gguf file or a Hugging Face model folder")
        ->required();
    sub->add_flag("--json", opts->json, "print one JSON object instead of text");
    sub->add_option("--draft", opts->draft,
                    "a draft model for this one, as serve --draft takes it: whether it shares the "
                    "tokenizer, and how far it would draft");
    return [opts] {
        const ModelFile model = ModelFile::open(opts->model);
        const ModelInfo info = describe(model);
        const json draft = opts->draft.empty() ? json() : draft_pairing(opts->model, opts->draft);
        if (opts->json) {
            json j = info_json(model, info);
            if (!draft.is_null()) j["draft"] = draft;
            std::printf("%s\n", j.dump(2, ' ', false, json::error_handler_t::replace).c_str());
        } else {
            print_text(model, info);
            if (!draft.is_null()) {
                char line[256];
                std::snprintf(line, sizeof line,
                              "%s: the same tokenizer (%d rows), %s of weights; drafts while the "
                              "chance that all its proposals are right is at least %.2f",
                              draft["model"].get<std::string>().c_str(),
                              draft["vocabulary"].get<int>(),
                              human_bytes(draft["weight_bytes"].get<uint64_t>()).c_str(),
                              draft["min_chain_probability"].get<double>());
                std::printf("%-14s %s\n", "draft", line);
            }
        }
        return 0;
    };
}

}  // namespace qe::cli
