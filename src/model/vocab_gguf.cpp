// Vocabulary from GGUF metadata, as llama.cpp's converter writes it:
//   tokenizer.ggml.model       "gpt2" (byte-level BPE)
//   tokenizer.ggml.pre         "qwen2" (the split pattern)
//   tokenizer.ggml.tokens      [n] strings; ordinary tokens in the byte-level alphabet, added
//                              tokens as their literal text
//   tokenizer.ggml.token_type  [n] int32: 1 normal, 2 unknown, 3 control, 4 user-defined,
//                              5 unused, 6 byte
//   tokenizer.ggml.merges      "left right" strings in priority order (alphabet spelling)
//   tokenizer.ggml.{bos,eos,padding}_token_id, tokenizer.ggml.add_bos_token
#include <string>
#include <string_view>
#include <variant>

#include "core/error.h"
#include "io/gguf.h"
#include "model/vocab_load.h"
#include "tokenizer/byte_level.h"

namespace qe {

namespace {

std::string quoted(std::string_view s) {
    constexpr size_t kMax = 40;
    std::string out = "\"";
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out + "\"";
}

class Reader {
  public:
    Reader(const GgufFile& gguf, const std::string& name) : gguf_(gguf), name_(name) {}

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        throw Error(name_ + ": " + std::string(key) + ": " + what);
    }

    const std::string& string(std::string_view key) const {
        const GgufValue* v = gguf_.find(key);
        if (!v) fail(key, "missing; the file has no byte-level BPE tokenizer");
        const std::string* s = v->as_string();
        if (!s) fail(key, "expected a string");
        return *s;
    }

    // An array of strings, or of integers (of any width) when `strings` is false.
    const GgufArray* array(std::string_view key, bool strings, bool required) const {
        const GgufValue* v = gguf_.find(key);
        if (!v) {
            if (required) fail(key, "missing");
            return nullptr;
        }
        const GgufArray* a = v->as_array();
        if (!a) fail(key, "expected an array");
        if (strings != (a->elem_type == GgufType::STRING)) {
            fail(key, std::string("expected an array of ") + (strings ? "strings" : "integers"));
        }
        return a;
    }

    // A token id, or -1 when the key is absent; must name a token.
    int32_t token_id(std::string_view key, int32_t n_tokens) const {
        const GgufValue* v = gguf_.find(key);
        if (!v) return -1;
        const auto id = v->as_int();
        if (!id || *id < 0 || *id >= n_tokens) {
            fail(key, "not a token id in [0, " + std::to_string(n_tokens) + ")");
        }
        return int32_t(*id);
    }

    bool flag(std::string_view key, bool fallback) const {
        const GgufValue* v = gguf_.find(key);
        if (!v) return fallback;
        if (const bool* b = std::get_if<bool>(&v->value)) return *b;
        fail(key, "expected a bool");
    }

  private:
    const GgufFile& gguf_;
    const std::string& name_;
};

TokenKind kind_of(int64_t type, const Reader& r, size_t index) {
    switch (type) {
        case 1:
            return TokenKind::kNormal;
        case 2:
            return TokenKind::kUnused;  // an "unknown" token has no place in byte-level BPE
        case 3:
            return TokenKind::kControl;
        case 4:
            return TokenKind::kUserDefined;
        case 5:
            return TokenKind::kUnused;
        default:
            r.fail("tokenizer.ggml.token_type", "entry " + std::to_string(index) + " has type " +
                                                    std::to_string(type) +
                                                    ", which byte-level BPE does not use");
    }
}

}  // namespace

Vocab vocab_from_gguf(const GgufFile& gguf, const std::string& name) {
    const Reader r(gguf, name);
    Vocab vocab;
    vocab.source = name;

    const std::string& model = r.string("tokenizer.ggml.model");
    if (model != "gpt2") {
        r.fail("tokenizer.ggml.model",
               quoted(model) + " is not supported; qwen-edge reads byte-level BPE (\"gpt2\")");
    }
    const std::string& pre = r.string("tokenizer.ggml.pre");
    if (pre == "qwen35") {
        vocab.split = SplitPattern::Qwen35;
    } else if (pre != "qwen2") {
        r.fail("tokenizer.ggml.pre", quoted(pre) +
                                         " is not supported; qwen-edge implements Qwen2's and "
                                         "Qwen3.5's split patterns (\"qwen2\", \"qwen35\")");
    }

    const GgufArray* tokens = r.array("tokenizer.ggml.tokens", true, true);
    const GgufArray* types = r.array("tokenizer.ggml.token_type", false, false);
    const GgufArray* merges = r.array("tokenizer.ggml.merges", true, true);
    const size_t n = tokens->items.size();
    if (n == 0 || n > size_t(INT32_MAX)) r.fail("tokenizer.ggml.tokens", "bad token count");
    if (types && types->items.size() != n) {
        r.fail("tokenizer.ggml.token_type", std::to_string(types->items.size()) + " entries for " +
                                                std::to_string(n) + " tokens");
    }

    vocab.tokens.resize(n);
    vocab.kinds.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const std::string* text = tokens->items[i].as_string();
        if (!text)
            r.fail("tokenizer.ggml.tokens", "entry " + std::to_string(i) + " is not a string");
        TokenKind kind = TokenKind::kNormal;
        if (types) {
            const auto type = types->items[i].as_int();
            if (!type)
                r.fail("tokenizer.ggml.token_type",
                       "entry " + std::to_string(i) + " is not an integer");
            kind = kind_of(*type, r, i);
        }
        vocab.kinds[i] = kind;
        if (kind == TokenKind::kNormal) {
            if (!byte_level::decode(*text, vocab.tokens[i])) {
                r.fail("tokenizer.ggml.tokens", "entry " + std::to_string(i) + " " + quoted(*text) +
                                                    " is not in the byte-level alphabet");
            }
        } else if (kind != TokenKind::kUnused) {
            vocab.tokens[i] = *text;
        }
    }

    vocab.merges.resize(merges->items.size());
    for (size_t i = 0; i < merges->items.size(); ++i) {
        const std::string* rule = merges->items[i].as_string();
        const size_t space = rule ? rule->find(' ') : std::string::npos;
        auto& [left, right] = vocab.merges[i];
        if (space == std::string::npos || rule->find(' ', space + 1) != std::string::npos ||
            !byte_level::decode(std::string_view(*rule).substr(0, space), left) ||
            !byte_level::decode(std::string_view(*rule).substr(space + 1), right) || left.empty() ||
            right.empty()) {
            r.fail("tokenizer.ggml.merges",
                   "entry " + std::to_string(i) + " " +
                       (rule ? quoted(*rule) : std::string("(not a string)")) +
                       " is not two byte-level tokens separated by one space");
        }
    }

    const int32_t n_tokens = int32_t(n);
    vocab.bos_id = r.token_id("tokenizer.ggml.bos_token_id", n_tokens);
    vocab.eos_id = r.token_id("tokenizer.ggml.eos_token_id", n_tokens);
    vocab.pad_id = r.token_id("tokenizer.ggml.padding_token_id", n_tokens);
    vocab.add_bos = r.flag("tokenizer.ggml.add_bos_token", false);
    return vocab;
}

}  // namespace qe
