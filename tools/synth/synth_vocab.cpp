#include "synth/synth_vocab.h"

#include <algorithm>
#include <unordered_set>

#include "core/error.h"
#include "io/json_file.h"

namespace qe::synth {
namespace {

// llama.cpp marks added tokens that look like "<|...|>" as control even when the tokenizer does
// not flag them special (the fim/repo tokens of Qwen2.5); others are user-defined.
bool looks_special(const std::string& s) {
    return s.size() >= 4 && s.starts_with("<|") && s.ends_with("|>");
}

}  // namespace

SynthVocab build_vocab(const std::string& path, int rows, int added) {
    if (added < 1 || added > kQwen3AddedTokens) {
        throw Error("cannot keep " + std::to_string(added) + " added tokens: Qwen has 1.." +
                    std::to_string(kQwen3AddedTokens));
    }
    const int min_rows = 256 + added;
    if (rows < min_rows) {
        throw Error("a vocabulary of " + std::to_string(rows) + " rows is too small: at least " +
                    std::to_string(min_rows) + " are needed (256 byte tokens and " +
                    std::to_string(added) + " added)");
    }
    nlohmann::json doc;
    try {
        doc = read_json_file(path, kMaxTokenizerJsonBytes);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) +
                    " (the Qwen vocabulary is installed by scripts/setup.sh --test; or pass " +
                    "--tokenizer PATH)");
    }
    auto fail = [&](const std::string& what) -> void {
        throw Error(path + ": not a Qwen tokenizer.json: " + what);
    };
    if (!doc.is_object() || !doc.contains("model") || !doc["model"].is_object() ||
        !doc["model"].contains("vocab") || !doc["model"]["vocab"].is_object() ||
        !doc["model"].contains("merges") || !doc["model"]["merges"].is_array() ||
        !doc.contains("added_tokens") || !doc["added_tokens"].is_array()) {
        fail("it lacks model.vocab, model.merges or added_tokens");
    }

    SynthVocab v;
    v.rows = rows;
    v.ordinary = std::min(kQwenOrdinaryTokens, (rows - added) / 128 * 128);

    // Ordinary tokens by id.
    std::vector<std::string> by_id(kQwenOrdinaryTokens);
    size_t seen = 0;
    for (const auto& [text, id] : doc["model"]["vocab"].items()) {
        if (!id.is_number_integer()) fail("a vocab id is not an integer");
        const int64_t i = id.get<int64_t>();
        if (i < 0 || i >= kQwenOrdinaryTokens || !by_id[size_t(i)].empty()) {
            fail("vocab ids are not 0.." + std::to_string(kQwenOrdinaryTokens - 1) + " once each");
        }
        by_id[size_t(i)] = text;
        ++seen;
    }
    if (seen != size_t(kQwenOrdinaryTokens)) fail("the vocab does not have 151643 tokens");
    v.tokens.assign(by_id.begin(), by_id.begin() + v.ordinary);
    v.token_types.assign(size_t(v.ordinary), kNormal);

    // Merges whose parts and result are all kept, in the source's order.
    std::unordered_set<std::string> kept(v.tokens.begin(), v.tokens.end());
    nlohmann::json kept_merges = nlohmann::json::array();
    for (const auto& m : doc["model"]["merges"]) {
        std::string left, right;
        if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            left = m[0].get<std::string>();
            right = m[1].get<std::string>();
        } else if (m.is_string()) {
            const std::string s = m.get<std::string>();
            const size_t space = s.find(' ', 1);
            if (space == std::string::npos) fail("a merge has no space: " + s);
            left = s.substr(0, space);
            right = s.substr(space + 1);
        } else {
            fail("a merge is neither [left, right] nor \"left right\"");
        }
        if (kept.count(left) && kept.count(right) && kept.count(left + right)) {
            v.merges.push_back(left + " " + right);
            kept_merges.push_back(m);
        }
    }

    // The first `added` added tokens, renumbered after the kept ordinary tokens.
    nlohmann::json added_json = nlohmann::json::array();
    for (const auto& t : doc["added_tokens"]) {
        if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() ||
            !t.contains("content") || !t["content"].is_string()) {
            fail("an added token lacks id or content");
        }
        const int64_t source_id = t["id"].get<int64_t>();
        if (source_id < kQwenOrdinaryTokens || source_id >= kQwenOrdinaryTokens + added) {
            continue;  // beyond the kept ones (Qwen3's additions for a Qwen2.5 vocabulary)
        }
        AddedToken a;
        a.id = v.ordinary + int(source_id - kQwenOrdinaryTokens);
        a.content = t["content"].get<std::string>();
        a.special = t.value("special", false);
        v.added.push_back(a);
        nlohmann::json renumbered = t;
        renumbered["id"] = a.id;
        added_json.push_back(renumbered);
    }
    if (v.added.size() != size_t(added)) {
        fail("it lacks the first " + std::to_string(added) + " added tokens of Qwen");
    }
    std::sort(v.added.begin(), v.added.end(),
              [](const AddedToken& a, const AddedToken& b) { return a.id < b.id; });
    for (const auto& a : v.added) {
        v.tokens.push_back(a.content);
        v.token_types.push_back(a.special || looks_special(a.content) ? kControl : kUserDefined);
        if (a.content == "<|endoftext|>") v.endoftext_id = a.id;
        if (a.content == "<|im_end|>") v.im_end_id = a.id;
    }
    if (v.endoftext_id < 0 || v.im_end_id < 0) fail("it lacks <|endoftext|> or <|im_end|>");
    while (int(v.tokens.size()) < rows) {
        v.tokens.push_back("[PAD" + std::to_string(v.tokens.size()) + "]");
        v.token_types.push_back(kUnused);
    }

    // tokenizer.json: the source with the cut vocabulary, merges and added tokens.
    v.tokenizer_json = std::move(doc);
    nlohmann::json vocab = nlohmann::json::object();
    for (int i = 0; i < v.ordinary; ++i) vocab[v.tokens[size_t(i)]] = i;
    v.tokenizer_json["model"]["vocab"] = std::move(vocab);
    v.tokenizer_json["model"]["merges"] = std::move(kept_merges);
    v.tokenizer_json["added_tokens"] = std::move(added_json);
    return v;
}

}  // namespace qe::synth
