// Vocabulary from a Hugging Face folder.
//
// tokenizer.json: {"added_tokens": [{"id", "content", "special", ...}], "normalizer": {...},
//   "pre_tokenizer": {...}, "decoder": {...}, "model": {"type": "BPE", "vocab": {token: id},
//   "merges": ["left right", ...] or [["left", "right"], ...], ...}}
// Ordinary tokens are spelled in the byte-level alphabet; added tokens are literal text.
// tokenizer_config.json (optional): "added_tokens_decoder": {"id": {"content", "special"}},
//   "bos_token" / "eos_token" / "pad_token" (a string, {"content": ...} or null), "add_bos_token".
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/mapped_file.h"
#include "io/json_reader.h"
#include "model/vocab_load.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenize.h"

namespace qe {

namespace {

using nlohmann::json;

// Token ids beyond this are refused rather than allocated for.
constexpr int64_t kMaxTokenId = 1 << 24;

std::string_view as_text(std::span<const uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct AddedToken {
    int64_t id = -1;
    std::string content;
    bool special = false;
};

class HfReader {
  public:
    explicit HfReader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": " + what); }

    void read(std::string_view text) {
        JsonReader r(text, path_);
        r.begin_object();
        std::string key;
        bool have_model = false;
        while (r.next_key(key)) {
            if (key == "model") {
                read_model(r);
                have_model = true;
            } else if (key == "added_tokens") {
                read_added_tokens(r);
            } else if (key == "normalizer") {
                check_normalizer(parse(r));
            } else if (key == "pre_tokenizer") {
                split_ = check_pre_tokenizer(parse(r));
            } else if (key == "decoder") {
                check_decoder(parse(r));
            } else {
                r.skip_value();
            }
        }
        r.finish();
        if (!have_model) fail("no \"model\"");
        if (vocab_entries_.empty()) fail("model.vocab is empty");
    }

    // Builds the vocabulary: ordinary entries, then added tokens over them.
    Vocab build(std::vector<AddedToken> extra) {
        int64_t n = 0;
        for (const auto& [id, text] : vocab_entries_) n = std::max(n, id + 1);
        for (const AddedToken& t : added_) n = std::max(n, t.id + 1);
        for (const AddedToken& t : extra) n = std::max(n, t.id + 1);
        // Ids are dense in real vocabularies; refuse to allocate for a few far-flung ones.
        const int64_t entries = int64_t(vocab_entries_.size() + added_.size() + extra.size());
        if (n > 2 * entries + 1024) {
            fail("token ids run up to " + std::to_string(n - 1) + " for only " +
                 std::to_string(entries) + " tokens");
        }
        Vocab vocab;
        vocab.split = split_;
        vocab.tokens.resize(size_t(n));
        vocab.kinds.assign(size_t(n), TokenKind::kUnused);
        for (auto& [id, bytes] : vocab_entries_) {
            vocab.tokens[size_t(id)] = std::move(bytes);
            vocab.kinds[size_t(id)] = TokenKind::kNormal;
        }
        auto add = [&](const AddedToken& t) {
            vocab.tokens[size_t(t.id)] = t.content;
            vocab.kinds[size_t(t.id)] = t.special ? TokenKind::kControl : TokenKind::kUserDefined;
        };
        for (const AddedToken& t : added_) add(t);
        for (const AddedToken& t : extra) {
            const TokenKind kind = vocab.kinds[size_t(t.id)];
            if (kind == TokenKind::kUnused) {
                add(t);
            } else if (vocab.tokens[size_t(t.id)] != t.content &&
                       !(kind == TokenKind::kNormal &&
                         byte_level::encode(vocab.tokens[size_t(t.id)]) == t.content)) {
                fail("tokenizer_config.json gives id " + std::to_string(t.id) + " the content \"" +
                     t.content + "\", tokenizer.json another");
            }
        }
        vocab.merges = std::move(merges_);
        return vocab;
    }

    AddedToken added_token(const json& t, const std::string& where) const {
        AddedToken out;
        if (!t.is_object() || !t.contains("content") || !t["content"].is_string()) {
            fail(where + ": an entry without \"content\"");
        }
        out.content = t["content"].get<std::string>();
        if (t.contains("id")) {
            if (!t["id"].is_number_integer())
                fail(where + ": \"" + out.content + "\" has no integer id");
            out.id = t["id"].get<int64_t>();
        }
        out.special = t.value("special", false);
        for (const char* flag : {"lstrip", "rstrip", "single_word"}) {
            if (t.value(flag, false)) {
                fail(where + ": \"" + out.content + "\" sets " + flag +
                     ", which qwen-edge does not implement");
            }
        }
        if (out.content.empty()) fail(where + ": an added token with empty content");
        return out;
    }

    void check_id(const AddedToken& t, const std::string& where) const {
        if (t.id < 0 || t.id >= kMaxTokenId) {
            fail(where + ": \"" + t.content + "\" has id " + std::to_string(t.id) +
                 ", out of range");
        }
    }

    const std::vector<AddedToken>& added() const { return added_; }

  private:
    json parse(JsonReader& r) {
        const size_t at = r.offset();
        const std::string_view value = r.skip_value();
        try {
            return json::parse(value);
        } catch (const json::exception& e) {
            fail("invalid JSON near byte " + std::to_string(at) + ": " + e.what());
        }
    }

    void read_model(JsonReader& r) {
        r.begin_object();
        std::string key, value;
        while (r.next_key(key)) {
            if (key == "type") {
                r.read_string(value);
                if (value != "BPE") fail("model.type is \"" + value + "\"; only BPE is supported");
            } else if (key == "vocab") {
                read_vocab(r);
            } else if (key == "merges") {
                read_merges(r);
            } else if (key == "byte_fallback" || key == "ignore_merges" || key == "fuse_unk") {
                if (r.peek() == JsonReader::Type::kNull) {
                    r.read_null();
                } else if (r.read_bool() && key != "fuse_unk") {
                    fail("model." + key + " is true; Qwen2's byte-level BPE has it false");
                }
            } else if (key == "dropout") {
                const std::string_view v = r.skip_value();
                if (v != "null" && v != "0" && v != "0.0") fail("model.dropout must be null");
            } else if (key == "continuing_subword_prefix" || key == "end_of_word_suffix") {
                if (r.peek() == JsonReader::Type::kNull) {
                    r.read_null();
                } else {
                    r.read_string(value);
                    if (!value.empty()) fail("model." + key + " must be empty");
                }
            } else {
                r.skip_value();  // unk_token and other fields unused by byte-level BPE
            }
        }
    }

    void read_vocab(JsonReader& r) {
        r.begin_object();
        std::string token;
        vocab_entries_.reserve(160000);
        while (r.next_key(token)) {
            const size_t at = r.offset();
            const int64_t id = r.read_int();
            if (id < 0 || id >= kMaxTokenId) {
                fail("model.vocab[\"" + token + "\"] = " + std::to_string(id) + " is out of range");
            }
            std::string bytes;
            if (!byte_level::decode(token, bytes)) {
                fail("model.vocab entry \"" + token + "\" (byte " + std::to_string(at) +
                     ") is not in the byte-level alphabet");
            }
            vocab_entries_.emplace_back(id, std::move(bytes));
        }
        // Each id once.
        std::vector<bool> seen;
        for (const auto& [id, bytes] : vocab_entries_) {
            if (size_t(id) >= seen.size()) seen.resize(size_t(id) + 1);
            if (seen[size_t(id)]) fail("model.vocab uses id " + std::to_string(id) + " twice");
            seen[size_t(id)] = true;
        }
    }

    void read_merges(JsonReader& r) {
        r.begin_array();
        std::string rule, left, right;
        merges_.reserve(160000);
        while (r.next_item()) {
            const size_t at = r.offset();
            if (r.peek() == JsonReader::Type::kString) {
                r.read_string(rule);
                const size_t space = rule.find(' ');
                if (space == std::string::npos || rule.find(' ', space + 1) != std::string::npos) {
                    fail("model.merges entry \"" + rule + "\" is not two tokens and one space");
                }
                left.assign(rule, 0, space);
                right.assign(rule, space + 1);
            } else {
                r.begin_array();
                if (!r.next_item()) fail("model.merges: empty pair at byte " + std::to_string(at));
                r.read_string(left);
                if (!r.next_item())
                    fail("model.merges: one-element pair at byte " + std::to_string(at));
                r.read_string(right);
                if (r.next_item())
                    fail("model.merges: pair of more than two at byte " + std::to_string(at));
            }
            auto& [l, rr] = merges_.emplace_back();
            if (!byte_level::decode(left, l) || !byte_level::decode(right, rr) || l.empty() ||
                rr.empty()) {
                fail("model.merges entry at byte " + std::to_string(at) +
                     " is not two byte-level tokens");
            }
        }
    }

    void read_added_tokens(JsonReader& r) {
        const json list = parse(r);
        if (!list.is_array()) fail("added_tokens is not an array");
        for (const json& t : list) added_.push_back(added_token(t, "added_tokens"));
    }

    void check_normalizer(const json& n) const {
        if (!n.is_object() || n.value("type", "") != "NFC") {
            fail("normalizer is " + n.dump() + "; Qwen2 uses {\"type\": \"NFC\"}");
        }
    }

    // The split pattern the pre-tokenizer uses: Qwen2's or Qwen3.5's.
    SplitPattern check_pre_tokenizer(const json& p) const {
        const std::string hint =
            "; qwen-edge implements Qwen2's and Qwen3.5's Split(pattern) + ByteLevel";
        if (!p.is_object() || p.value("type", "") != "Sequence" || !p.contains("pretokenizers") ||
            !p["pretokenizers"].is_array() || p["pretokenizers"].size() != 2) {
            fail("pre_tokenizer is not a sequence of two steps" + hint);
        }
        const json& split = p["pretokenizers"][0];
        const json& bytes = p["pretokenizers"][1];
        const json* pattern = split.is_object() && split.contains("pattern") &&
                                      split["pattern"].is_object() &&
                                      split["pattern"].contains("Regex")
                                  ? &split["pattern"]["Regex"]
                                  : nullptr;
        const std::string regex =
            pattern && pattern->is_string() ? pattern->get<std::string>() : "";
        if (split.value("type", "") != "Split" ||
            (regex != kQwen2SplitPattern && regex != kQwen35SplitPattern) ||
            split.value("behavior", "") != "Isolated" || split.value("invert", true)) {
            fail("pre_tokenizer's first step is not Qwen2's or Qwen3.5's split pattern" + hint);
        }
        if (!bytes.is_object() || bytes.value("type", "") != "ByteLevel" ||
            bytes.value("add_prefix_space", true) || bytes.value("use_regex", true)) {
            fail("pre_tokenizer's second step is not ByteLevel without prefix space and regex" +
                 hint);
        }
        return regex == kQwen35SplitPattern ? SplitPattern::Qwen35 : SplitPattern::Qwen2;
    }

    void check_decoder(const json& d) const {
        if (!d.is_object() || d.value("type", "") != "ByteLevel") {
            fail("decoder is not ByteLevel; qwen-edge decodes byte-level BPE");
        }
    }

    std::string path_;
    std::vector<std::pair<int64_t, std::string>> vocab_entries_;  // (id, raw bytes)
    std::vector<std::pair<std::string, std::string>> merges_;
    std::vector<AddedToken> added_;
    SplitPattern split_ = SplitPattern::Qwen2;
};

// "<|im_end|>", {"content": "<|im_end|>", ...} or null.
std::string token_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) {
        return v["content"].get<std::string>();
    }
    return {};
}

int32_t find_literal(const Vocab& vocab, const std::string& text) {
    if (text.empty()) return -1;
    for (int32_t id = 0; id < vocab.size(); ++id) {
        if (vocab.kinds[size_t(id)] != TokenKind::kNormal && vocab.tokens[size_t(id)] == text)
            return id;
    }
    for (int32_t id = 0; id < vocab.size(); ++id) {
        if (vocab.kinds[size_t(id)] == TokenKind::kNormal && vocab.tokens[size_t(id)] == text)
            return id;
    }
    return -1;
}

Vocab read_hf_json(std::string_view tokenizer_json, const std::string& tokenizer_name,
                   std::optional<std::string_view> config_json, const std::string& config_name) {
    HfReader reader(tokenizer_name);
    reader.read(tokenizer_json);
    for (const AddedToken& t : reader.added()) reader.check_id(t, "added_tokens");

    json config;
    std::vector<AddedToken> extra;
    if (config_json) {
        try {
            config = json::parse(*config_json);
        } catch (const json::exception& e) {
            throw Error(config_name + ": invalid JSON: " + e.what());
        }
        if (!config.is_object()) throw Error(config_name + ": not a JSON object");
        if (config.contains("added_tokens_decoder") && config["added_tokens_decoder"].is_object()) {
            HfReader config_reader(config_name);
            for (const auto& [key, value] : config["added_tokens_decoder"].items()) {
                AddedToken t = config_reader.added_token(value, "added_tokens_decoder");
                try {
                    size_t used = 0;
                    t.id = std::stoll(key, &used);
                    if (used != key.size()) t.id = -1;
                } catch (const std::exception&) {
                    t.id = -1;
                }
                config_reader.check_id(t, "added_tokens_decoder[\"" + key + "\"]");
                extra.push_back(std::move(t));
            }
        }
    }

    Vocab vocab = reader.build(std::move(extra));
    vocab.source = tokenizer_name;
    if (config.is_object()) {
        auto special = [&](const char* key) {
            if (!config.contains(key)) return int32_t(-1);
            const std::string text = token_text(config[key]);
            if (text.empty()) return int32_t(-1);
            const int32_t id = find_literal(vocab, text);
            if (id < 0) {
                throw Error(config_name + ": " + key + " \"" + text +
                            "\" is not in the vocabulary");
            }
            return id;
        };
        vocab.bos_id = special("bos_token");
        vocab.eos_id = special("eos_token");
        vocab.pad_id = special("pad_token");
        if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) {
            vocab.add_bos = config["add_bos_token"].get<bool>();
        }
    }
    return vocab;
}

}  // namespace

Vocab vocab_from_hf_json(std::string_view tokenizer_json, const std::string& tokenizer_name,
                         std::optional<std::string_view> config_json,
                         const std::string& config_name) {
    try {
        return read_hf_json(tokenizer_json, tokenizer_name, config_json, config_name);
    } catch (const nlohmann::json::exception& e) {
        // A field of an unexpected type in one of the small objects nlohmann reads.
        throw Error(tokenizer_name + " or " + config_name + ": unexpected content: " + e.what());
    }
}

Vocab vocab_from_hf(const std::string& folder) {
    namespace fs = std::filesystem;
    const std::string tokenizer_path = (fs::path(folder) / "tokenizer.json").string();
    const std::string config_path = (fs::path(folder) / "tokenizer_config.json").string();
    const MappedFile tokenizer_file(tokenizer_path);
    std::optional<MappedFile> config_file;
    std::error_code ec;
    if (fs::exists(config_path, ec)) config_file.emplace(config_path);
    std::optional<std::string_view> config_text;
    if (config_file) config_text = as_text(config_file->bytes());
    Vocab vocab = vocab_from_hf_json(as_text(tokenizer_file.bytes()), tokenizer_path, config_text,
                                     config_path);
    vocab.source = folder;
    return vocab;
}

}  // namespace qe
