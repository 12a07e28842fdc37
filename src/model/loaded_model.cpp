#include "model/loaded_model.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/architecture.h"
#include "model/chat_template_load.h"
#include "model/tokenizer_load.h"

namespace qe {

std::string LoadedModel::id_of(const std::string& path) {
    std::filesystem::path p(path);
    if (p.filename().empty()) p = p.parent_path();
    std::string name = p.filename().string();
    if (name.ends_with(".gguf")) name.resize(name.size() - 5);
    return name;
}

namespace {

// Reads a JSON file of the model folder; a missing file gives `null`, a broken one an error.
nlohmann::json read_optional_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return nullptr;
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": not valid JSON: " + e.what());
    }
}

// A family's recommended sampling, with and without thinking (from the models' cards).
struct FamilySampling {
    SamplingParams thinking, non_thinking;
    bool modes = false;  // its answers may think or not
};

FamilySampling family_sampling(const std::string& architecture) {
    FamilySampling f;  // Qwen2.5-Instruct (SamplingParams' defaults): no thinking mode
    if (architecture.starts_with("qwen3")) {
        f.modes = true;
        f.thinking.temperature = 0.6f;
        f.thinking.top_p = 0.95f;
        f.thinking.top_k = 20;
        f.thinking.repetition_penalty = 1.0f;
        f.non_thinking.temperature = 0.7f;
        f.non_thinking.top_p = 0.8f;
        f.non_thinking.top_k = 20;
        f.non_thinking.repetition_penalty = 1.0f;
    }
    return f;
}

// What the file says about sampling, over `p`: generation_config.json beside a Hugging Face
// folder's weights, or a GGUF file's general.sampling.* keys (as llama.cpp writes them).
SamplingParams file_sampling(const ModelFile& file, SamplingParams p) {
    if (const GgufFile* g = file.gguf()) {
        auto num = [&](const char* key, auto& field) {
            if (const GgufValue* v = g->find(key))
                if (const auto x = v->as_float()) field = std::decay_t<decltype(field)>(*x);
        };
        num("general.sampling.temp", p.temperature);
        num("general.sampling.top_p", p.top_p);
        num("general.sampling.top_k", p.top_k);
        num("general.sampling.min_p", p.min_p);
        num("general.sampling.penalty_repeat", p.repetition_penalty);
        p.validate();
        return p;
    }
    if (file.hf_folder().empty()) return p;
    const auto g = read_optional_json(file.hf_folder() / "generation_config.json");
    if (!g.is_object()) return p;
    auto num = [&](const char* key, auto& field) {
        if (g.contains(key) && g[key].is_number())
            field = g[key].get<std::decay_t<decltype(field)>>();
    };
    num("temperature", p.temperature);
    num("top_p", p.top_p);
    num("top_k", p.top_k);
    num("min_p", p.min_p);
    num("repetition_penalty", p.repetition_penalty);
    if (g.contains("do_sample") && g["do_sample"] == false) p.temperature = 0;
    p.validate();
    return p;
}

}  // namespace

std::unique_ptr<LoadedModel> LoadedModel::open(const std::string& path,
                                               const LoadOptions& options) {
    std::unique_ptr<LoadedModel> m(new LoadedModel(ModelFile::open(path)));
    const std::string& where = m->file_.path();
    if (!find_architecture(m->config_.architecture))
        throw Error(where + ": architecture '" + m->config_.architecture +
                    "' is not supported (only " + std::string(supported_architectures()) + ")");
    try {
        m->weights_ = bind_weights(m->file_, m->config_);
    } catch (const Error& e) {
        const std::string what = e.what();
        // The accessor already names the file; the shape checks don't.
        throw Error(what.starts_with(where) ? what : where + ": " + what);
    }
    try {
        m->tokenizer_.emplace(load_tokenizer(m->file_));
    } catch (const Error& e) {
        if (!options.tokenizer_optional) throw;
        m->tokenizer_error_ = e.what();
    }
    if (m->tokenizer_ && m->tokenizer_->size() > m->config_.vocab_size)
        throw Error(where + ": the tokenizer has " + std::to_string(m->tokenizer_->size()) +
                    " tokens but the embedding only " + std::to_string(m->config_.vocab_size) +
                    " rows");

    const ModelChatTemplate templates = load_chat_template(m->file_);
    m->formatter_ = std::make_unique<PromptFormatter>(templates.source);
    m->template_has_thinking_switch_ =
        templates.source.find("enable_thinking") != std::string::npos;
    if (!templates.tool_use_source.empty())
        m->tool_use_formatter_ = std::make_unique<PromptFormatter>(templates.tool_use_source);
    // The template that renders requests with tools writes past calls in the model's form.
    const std::string& tool_source =
        templates.tool_use_source.empty() ? templates.source : templates.tool_use_source;
    m->template_writes_xml_tool_calls_ = tool_source.find("<function=") != std::string::npos;

    auto add_stop = [&](int id) {
        if (id >= 0 &&
            std::find(m->stop_ids_.begin(), m->stop_ids_.end(), id) == m->stop_ids_.end())
            m->stop_ids_.push_back(id);
    };
    add_stop(m->config_.eos_id);
    if (m->tokenizer_) {
        add_stop(m->tokenizer_->eos_id());
        add_stop(m->tokenizer_->find_added("<|im_end|>"));
        add_stop(m->tokenizer_->find_added("<|endoftext|>"));
    }
    // The file's settings are for the mode the model answers in by default (Qwen3's
    // generation_config.json holds its thinking settings); a family whose answers may think or
    // not keeps its table's non-thinking row.
    const FamilySampling family = family_sampling(m->config_.architecture);
    m->sampling_defaults_ = file_sampling(m->file_, family.thinking);
    m->non_thinking_defaults_ = family.modes ? family.non_thinking : m->sampling_defaults_;
    m->id_ = id_of(path);
    return m;
}

const Tokenizer& LoadedModel::tokenizer() const {
    if (!tokenizer_) throw Error(file_.path() + ": no usable tokenizer: " + tokenizer_error_);
    return *tokenizer_;
}

const PromptFormatter& LoadedModel::formatter(bool has_tools) const {
    return has_tools && tool_use_formatter_ ? *tool_use_formatter_ : *formatter_;
}

std::string LoadedModel::describe() const {
    const ModelConfig& c = config_;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s, %d layers, dim %d, vocab %d, %.1fM parameters, %.1f MB",
                  c.architecture.c_str(), c.n_layers, c.dim, c.vocab_size,
                  double(file_.parameter_count()) / 1e6, double(file_.weight_bytes()) / 1e6);
    return buf;
}

}  // namespace qe
