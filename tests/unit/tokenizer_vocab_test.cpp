// Loading vocabularies: GGUF metadata (the shared golden models, and a GGUF written with the
// full Qwen vocabulary), Hugging Face folders, and the errors that bad files must give.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/mapped_file.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "model/tokenizer_load.h"
#include "model/vocab_load.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenize.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using testing::golden_path;
using testing::qwen25;
using testing::read_jsonl;

std::string golden_model(const std::string& name) {
    return std::string(QE_GOLDEN_DIR) + "/" + name;
}

Vocab gguf_vocab(const std::string& path) {
    const MappedFile file(path);
    return vocab_from_gguf(parse_gguf(file.bytes(), path), path);
}

std::vector<int32_t> read_ids(const std::string& path) {
    std::ifstream in(path);
    std::vector<int32_t> ids;
    std::string item;
    while (std::getline(in, item, ',')) ids.push_back(std::stoi(item));
    return ids;
}

// Expects `f` to throw qe::Error whose message contains `part`.
template <typename F>
void expect_error(F&& f, const std::string& part) {
    try {
        f();
        ADD_FAILURE() << "no error; wanted one mentioning \"" << part << "\"";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

TEST(TokenizerVocab, GoldenGgufMatchesTheReferenceVocabulary) {
    const Vocab v = gguf_vocab(golden_model("g448-f32.gguf"));
    ASSERT_EQ(v.size(), 3872);
    EXPECT_EQ(v.eos_id, 3842);
    EXPECT_EQ(v.pad_id, 3840);
    EXPECT_EQ(v.bos_id, 3840);
    EXPECT_FALSE(v.add_bos);
    const Vocab& full = qwen25().vocab();
    for (int32_t id = 0; id < 3840; ++id) {
        ASSERT_EQ(v.tokens[size_t(id)], full.tokens[size_t(id)]) << id;
        ASSERT_EQ(v.kinds[size_t(id)], TokenKind::kNormal) << id;
    }
    for (int32_t i = 0; i < 22; ++i) {  // the added tokens, moved to 3840..3861
        EXPECT_EQ(v.tokens[size_t(3840 + i)], full.tokens[size_t(151643 + i)]);
        EXPECT_NE(v.kinds[size_t(3840 + i)], TokenKind::kNormal);
    }
    EXPECT_EQ(v.kinds[3840 + 14], TokenKind::kUserDefined);  // <tool_call>
    EXPECT_EQ(v.kinds[3871], TokenKind::kUnused);            // [PAD3871]
    EXPECT_EQ(v.tokens[3871], "");
}

// The golden models' ChatML prompt, as llama.cpp tokenized it with their small vocabulary.
TEST(TokenizerVocab, GoldenGgufEncodesTheChatPromptLikeLlamaCpp) {
    const std::string prompt =
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello! "
        "你好，请写一首诗。<|im_end|>\n<|im_start|>assistant\n";
    for (const char* name : {"g448-f32", "g896-q4_0", "g512-q6_k"}) {
        const Tokenizer tok = load_tokenizer(golden_model(std::string(name) + ".gguf"));
        const std::vector<int32_t> want = read_ids(golden_model(std::string(name) + ".chat.ids"));
        ASSERT_EQ(want.size(), 52u);
        EXPECT_EQ(tok.encode(prompt), want) << name;
        EXPECT_EQ(tok.decode(want), prompt) << name;
        EXPECT_EQ(tok.find_added("<|im_end|>"), tok.eos_id());
    }
}

// Writes Qwen2.5's vocabulary as llama.cpp's converter would, reads it back through the GGUF
// path, and checks that the corpus still tokenizes exactly.
TEST(TokenizerVocab, FullVocabularyThroughGguf) {
    const Vocab& hf = qwen25().vocab();
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (int32_t id = 0; id < hf.size(); ++id) {
        const bool normal = hf.kinds[size_t(id)] == TokenKind::kNormal;
        tokens.push_back(normal ? byte_level::encode(hf.tokens[size_t(id)])
                                : hf.tokens[size_t(id)]);
        types.push_back(normal ? 1 : hf.kinds[size_t(id)] == TokenKind::kControl ? 3 : 4);
    }
    std::vector<std::string> merges;
    for (const auto& [l, r] : hf.merges)
        merges.push_back(byte_level::encode(l) + " " + byte_level::encode(r));
    GgufWriter w;
    w.set("general.architecture", gguf_value::str("qwen2"));
    w.set("tokenizer.ggml.model", gguf_value::str("gpt2"));
    w.set("tokenizer.ggml.pre", gguf_value::str("qwen2"));
    w.set("tokenizer.ggml.tokens", gguf_value::strings(tokens));
    w.set("tokenizer.ggml.token_type", gguf_value::i32s(types));
    w.set("tokenizer.ggml.merges", gguf_value::strings(merges));
    w.set("tokenizer.ggml.eos_token_id", gguf_value::u32(151645));
    w.set("tokenizer.ggml.padding_token_id", gguf_value::u32(151643));
    w.set("tokenizer.ggml.add_bos_token", gguf_value::boolean(false));
    const std::vector<uint8_t> bytes = w.to_bytes();
    const Tokenizer tok(
        vocab_from_gguf(parse_gguf(bytes, "qwen25-vocab.gguf"), "qwen25-vocab.gguf"));
    EXPECT_EQ(tok.size(), 151665);
    EXPECT_EQ(tok.eos_id(), 151645);
    EXPECT_EQ(tok.bos_id(), -1);
    size_t checked = 0;
    for (const auto& line : read_jsonl(golden_path("encode.jsonl"))) {
        const std::string text = line["text"];
        EXPECT_EQ(tok.encode(text), line["ids"].get<std::vector<int32_t>>()) << line["name"];
        EXPECT_EQ(tok.encode(text, SpecialTokens::kAsText),
                  line["ids_plain"].get<std::vector<int32_t>>())
            << line["name"];
        ++checked;
    }
    EXPECT_GE(checked, 400u);
}

// A small valid GGUF vocabulary: bytes a b c, merge a+b. `edit` breaks it in one place.
std::vector<uint8_t> small_gguf(const std::function<void(GgufWriter&)>& edit) {
    GgufWriter w;
    w.set("tokenizer.ggml.model", gguf_value::str("gpt2"));
    w.set("tokenizer.ggml.pre", gguf_value::str("qwen2"));
    w.set("tokenizer.ggml.tokens", gguf_value::strings({"a", "b", "c", "ab", "<|end|>"}));
    w.set("tokenizer.ggml.token_type", gguf_value::i32s({1, 1, 1, 1, 3}));
    w.set("tokenizer.ggml.merges", gguf_value::strings({"a b"}));
    w.set("tokenizer.ggml.eos_token_id", gguf_value::u32(4));
    edit(w);
    return w.to_bytes();
}

Vocab small_vocab(const std::function<void(GgufWriter&)>& edit) {
    const std::vector<uint8_t> bytes = small_gguf(edit);
    return vocab_from_gguf(parse_gguf(bytes, "small.gguf"), "small.gguf");
}

TEST(TokenizerVocab, SmallGgufLoads) {
    const Tokenizer tok(small_vocab([](GgufWriter&) {}));
    EXPECT_EQ(tok.encode("abc<|end|>"), (std::vector<int32_t>{3, 2, 4}));
    // As text, the literal's bytes have no tokens in this vocabulary and are dropped.
    EXPECT_EQ(tok.encode("abc<|end|>", SpecialTokens::kAsText), (std::vector<int32_t>{3, 2}));
}

TEST(TokenizerVocab, PiecesParseLiteralsOnlyWhereAskedAndMergeAcrossPieces) {
    const Tokenizer tok(small_vocab([](GgufWriter&) {}));
    const auto pieces = [&](std::initializer_list<TextPiece> p) {
        return tok.encode_pieces(std::vector<TextPiece>(p));
    };
    // "a" + "b" merge across the boundary, as in the joined text; the template's literal counts.
    EXPECT_EQ(pieces({{"a", SpecialTokens::kParse}, {"bc", SpecialTokens::kAsText},
                      {"<|end|>", SpecialTokens::kParse}}),
              tok.encode("abc<|end|>"));
    // A client's literal is text (its bytes have no tokens here), and cannot be completed by the
    // template either.
    EXPECT_EQ(pieces({{"ab", SpecialTokens::kParse}, {"<|end|>", SpecialTokens::kAsText}}),
              (std::vector<int32_t>{3}));
    EXPECT_EQ(pieces({{"<|en", SpecialTokens::kAsText}, {"d|>c", SpecialTokens::kParse}}),
              (std::vector<int32_t>{2}));
    EXPECT_TRUE(pieces({}).empty());
    EXPECT_THROW(pieces({{"\xff", SpecialTokens::kAsText}}), Error);
}

TEST(TokenizerVocab, GgufQwen35PreTokenizerSelectsItsSplitter) {
    EXPECT_EQ(small_vocab([](GgufWriter&) {}).split, SplitPattern::Qwen2);
    const Vocab v =
        small_vocab([](GgufWriter& w) { w.set("tokenizer.ggml.pre", gguf_value::str("qwen35")); });
    EXPECT_EQ(v.split, SplitPattern::Qwen35);
}

TEST(TokenizerVocab, GgufErrorsNameTheKey) {
    using W = GgufWriter;
    expect_error(
        [] { small_vocab([](W& w) { w.set("tokenizer.ggml.model", gguf_value::str("llama")); }); },
        "tokenizer.ggml.model: \"llama\" is not supported");
    expect_error(
        [] {
            small_vocab([](W& w) { w.set("tokenizer.ggml.pre", gguf_value::str("llama-bpe")); });
        },
        "tokenizer.ggml.pre: \"llama-bpe\"");
    expect_error(
        [] {
            small_vocab([](W& w) { w.set("tokenizer.ggml.token_type", gguf_value::i32s({1, 1})); });
        },
        "2 entries for 5 tokens");
    expect_error(
        [] {
            small_vocab([](W& w) {
                w.set("tokenizer.ggml.token_type", gguf_value::i32s({1, 1, 1, 1, 6}));
            });
        },
        "entry 4 has type 6");
    expect_error(
        [] {
            small_vocab([](W& w) { w.set("tokenizer.ggml.merges", gguf_value::strings({"ab"})); });
        },
        "tokenizer.ggml.merges: entry 0");
    expect_error(
        [] { small_vocab([](W& w) { w.set("tokenizer.ggml.eos_token_id", gguf_value::u32(5)); }); },
        "tokenizer.ggml.eos_token_id: not a token id in [0, 5)");
    expect_error(
        [] {
            small_vocab([](W& w) {
                w.set("tokenizer.ggml.tokens", gguf_value::strings({"a", "b", "c", "a b", "x"}));
            });
        },
        "entry 3 \"a b\" is not in the byte-level alphabet");
    expect_error(
        [] {
            small_vocab([](W& w) {
                w.set("tokenizer.ggml.tokens", gguf_value::i32s({1, 2, 3, 4, 5}));
            });
        },
        "tokenizer.ggml.tokens: expected an array of strings");
    expect_error(
        [] {
            Tokenizer t(small_vocab([](W& w) {
                w.set("tokenizer.ggml.merges", gguf_value::strings({"a b", "b c"}));
            }));
        },
        "merge rule 1");
    GgufWriter bare;
    bare.set("general.architecture", gguf_value::str("qwen2"));
    const std::vector<uint8_t> bytes = bare.to_bytes();
    expect_error([&] { vocab_from_gguf(parse_gguf(bytes, "bare.gguf"), "bare.gguf"); },
                 "bare.gguf: tokenizer.ggml.model: missing");
}

// A Hugging Face folder in the test's temporary directory.
class HfFolder {
  public:
    explicit HfFolder(const std::string& name)
        : path_(fs::path(QE_TEST_TMP_DIR) / ("tok-" + name)) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~HfFolder() { fs::remove_all(path_); }
    void write(const std::string& file, const std::string& text) const {
        std::ofstream(path_ / file) << text;
    }
    std::string path() const { return path_.string(); }

  private:
    fs::path path_;
};

std::string small_tokenizer_json(const std::string& model_extra = "",
                                 const std::string& pattern_override = "",
                                 const std::string& merges = R"(["a b"])") {
    nlohmann::json pattern =
        pattern_override.empty() ? std::string(kQwen2SplitPattern) : pattern_override;
    return R"({"version": "1.0", "added_tokens": [{"id": 4, "content": "<|end|>", "special": true},
              {"id": 5, "content": "<x>", "special": false}],
      "normalizer": {"type": "NFC"},
      "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": )" +
           pattern.dump() + R"(}, "behavior": "Isolated", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
      "post_processor": null, "decoder": {"type": "ByteLevel"},
      "model": {"type": "BPE", "dropout": null, "unk_token": null, )" +
           model_extra + R"(
        "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3}, "merges": )" +
           merges + "}}";
}

TEST(TokenizerVocab, HfFolderLoads) {
    HfFolder folder("ok");
    folder.write("tokenizer.json", small_tokenizer_json());
    folder.write("tokenizer_config.json",
                 R"({"eos_token": "<|end|>", "pad_token": {"content": "<x>"},
        "bos_token": null, "add_bos_token": false,
        "added_tokens_decoder": {"6": {"content": "<y>", "special": true}}})");
    const Tokenizer tok = load_tokenizer(folder.path());
    EXPECT_EQ(tok.size(), 7);
    EXPECT_EQ(tok.eos_id(), 4);
    EXPECT_EQ(tok.pad_id(), 5);
    EXPECT_EQ(tok.bos_id(), -1);
    EXPECT_EQ(tok.kind(5), TokenKind::kUserDefined);
    EXPECT_EQ(tok.kind(6), TokenKind::kControl);
    EXPECT_EQ(tok.encode("abc<|end|><x><y>"), (std::vector<int32_t>{3, 2, 4, 5, 6}));
    // Merges as pairs, the newer tokenizer.json form, give the same.
    HfFolder pairs("pairs");
    pairs.write("tokenizer.json", small_tokenizer_json("", "", R"([["a", "b"]])"));
    EXPECT_EQ(load_tokenizer(pairs.path()).encode("abab"), (std::vector<int32_t>{3, 3}));
}

// Qwen3.5's tokenizer.json differs only by its split pattern, which the vocabulary records.
TEST(TokenizerVocab, HfQwen35PatternSelectsItsSplitter) {
    HfFolder folder("qwen35");
    folder.write("tokenizer.json", small_tokenizer_json("", std::string(kQwen35SplitPattern)));
    EXPECT_EQ(vocab_from_hf(folder.path()).split, SplitPattern::Qwen35);
    HfFolder plain("qwen2");
    plain.write("tokenizer.json", small_tokenizer_json());
    EXPECT_EQ(vocab_from_hf(plain.path()).split, SplitPattern::Qwen2);
}

TEST(TokenizerVocab, HfErrorsNameTheProblem) {
    HfFolder folder("bad");
    auto load_with = [&](const std::string& json) {
        folder.write("tokenizer.json", json);
        return vocab_from_hf(folder.path());
    };
    expect_error([&] { vocab_from_hf(folder.path() + "/missing"); }, "tokenizer.json");
    expect_error([&] { load_with(R"({"model": {"type": "BPE", "vocab": {"a": 0},)"); },
                 "invalid JSON at byte");
    expect_error([&] { load_with(small_tokenizer_json("", "\\s+")); }, "not Qwen2's or Qwen3.5's split pattern");
    expect_error([&] { load_with(small_tokenizer_json(R"("byte_fallback": true,)")); },
                 "byte_fallback is true");
    expect_error([&] { Tokenizer t(load_with(small_tokenizer_json("", "", R"(["a q"])"))); },
                 "uses a token that is not");
    std::string wrong_type = small_tokenizer_json();
    wrong_type.replace(wrong_type.find("\"BPE\""), 5, "\"WordPiece\"");
    expect_error([&] { load_with(wrong_type); }, "model.type is \"WordPiece\"");
    std::string dup = small_tokenizer_json();
    dup.replace(dup.find("\"ab\": 3"), 7, "\"ab\": 2");
    expect_error([&] { load_with(dup); }, "uses id 2 twice");
    std::string strip = small_tokenizer_json();
    strip.replace(strip.find("\"special\": true"), 15, "\"special\": true, \"lstrip\": true");
    expect_error([&] { load_with(strip); }, "sets lstrip");
    std::string nfkc = small_tokenizer_json();
    nfkc.replace(nfkc.find("\"NFC\""), 5, "\"NFKC\"");
    expect_error([&] { load_with(nfkc); }, "normalizer is");
    std::string huge_id = small_tokenizer_json();
    huge_id.replace(huge_id.find("\"c\": 2"), 6, "\"c\": 99999999999");
    expect_error([&] { load_with(huge_id); }, "out of range");
    std::string typed = small_tokenizer_json();
    typed.replace(typed.find("\"special\": true"), 15, "\"special\": \"yes\"");
    expect_error([&] { load_with(typed); }, "unexpected content");
    std::string sparse = small_tokenizer_json();
    sparse.replace(sparse.find("\"c\": 2"), 6, "\"c\": 5000000");
    expect_error([&] { load_with(sparse); }, "token ids run up to 5000000 for only 6 tokens");
    folder.write("tokenizer.json", small_tokenizer_json());
    folder.write("tokenizer_config.json", R"({"eos_token": "<nope>"})");
    expect_error([&] { vocab_from_hf(folder.path()); },
                 "eos_token \"<nope>\" is not in the vocabulary");
    expect_error([&] { load_tokenizer(folder.path() + "/nothing-here"); },
                 "no such file or folder");
}

}  // namespace
}  // namespace qe
