#include "chat/chat_model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/chat_template_load.h"
#include "model/tokenizer_load.h"

namespace qe {
namespace {

std::string model_id(const std::string& path) {
    std::filesystem::path p(path);
    if (p.filename().empty()) p = p.parent_path();
    std::string name = p.filename().string();
    if (name.ends_with(".gguf")) name.resize(name.size() - 5);
    return name;
}

// Reads a JSON file of the model folder; a missing file gives `null`, a broken one an error.
nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return nullptr;
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": not valid JSON: " + e.what());
    }
}

// generation_config.json's sampling fields, over Qwen2.5-Instruct's defaults.
SamplingParams sampling_defaults(const ModelFile& file) {
    SamplingParams p;  // Qwen2.5-Instruct: temperature 0.7, top_p 0.8, top_k 20, repetition 1.1
    if (file.hf_folder().empty()) return p;
    const auto g = read_json(file.hf_folder() / "generation_config.json");
    if (!g.is_object()) return p;
    auto num = [&](const char* key, auto& field) {
        if (g.contains(key) && g[key].is_number()) field = g[key].get<std::decay_t<decltype(field)>>();
    };
    num("temperature", p.temperature);
    num("top_p", p.top_p);
    num("top_k", p.top_k);
    num("repetition_penalty", p.repetition_penalty);
    if (g.contains("do_sample") && g["do_sample"] == false) p.temperature = 0;
    p.validate();
    return p;
}

}  // namespace

ChatModel::ChatModel(ModelFile f, Tokenizer t, std::string template_source)
    : file(std::move(f)),
      config(file.config()),
      tokenizer(std::move(t)),
      formatter(template_source) {}

std::unique_ptr<ChatModel> ChatModel::load(const std::string& path) {
    ModelFile file = ModelFile::open(path);
    Tokenizer tokenizer = load_tokenizer(file);
    std::string source = load_chat_template(file).source;
    std::unique_ptr<ChatModel> m(new ChatModel(std::move(file), std::move(tokenizer), std::move(source)));
    m->weights = bind_weights(m->file, m->config);
    if (m->tokenizer.size() > m->config.vocab_size)
        throw Error(path + ": the tokenizer has " + std::to_string(m->tokenizer.size()) +
                    " tokens but the embedding only " + std::to_string(m->config.vocab_size) + " rows");
    auto add_stop = [&](int id) {
        if (id >= 0 && std::find(m->stop_ids.begin(), m->stop_ids.end(), id) == m->stop_ids.end())
            m->stop_ids.push_back(id);
    };
    add_stop(m->tokenizer.eos_id());
    add_stop(m->tokenizer.find_added("<|im_end|>"));
    add_stop(m->tokenizer.find_added("<|endoftext|>"));
    m->defaults = sampling_defaults(m->file);
    m->id = model_id(path);
    return m;
}

}  // namespace qe
