// Any bytes as tokenizer.json (and as tokenizer_config.json): must load or be refused with
// qe::Error, never crash or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "io/json_reader.h"
#include "model/vocab_load.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        qe::JsonReader reader(text, "fuzz.json");
        reader.skip_value();
        reader.finish();
    } catch (const qe::Error&) {
    }
    try {
        const qe::Tokenizer tokenizer(
            qe::vocab_from_hf_json(text, "tokenizer.json", std::nullopt, ""));
        tokenizer.encode("Hello <|im_end|> 你好");
    } catch (const qe::Error&) {
    }
    try {
        const std::string minimal =
            R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": []})";
        qe::vocab_from_hf_json(minimal, "tokenizer.json", text, "tokenizer_config.json");
    } catch (const qe::Error&) {
    }
    return 0;
}
