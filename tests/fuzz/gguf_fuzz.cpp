// Any bytes as a GGUF file: must parse or be refused with qe::Error; a parsed file's tensors must
// lie inside the input (the fuzzer's ASan checks every byte read through them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/error.h"
#include "io/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const qe::GgufFile file = qe::parse_gguf(std::span(data, size), "fuzz.gguf");
        uint8_t sum = 0;
        for (const auto& t : file.tensors) {
            const auto* p = static_cast<const uint8_t*>(t.data);
            if (p < data || p + t.nbytes > data + size) std::abort();
            for (size_t i = 0; i < t.nbytes; i += 61) sum ^= p[i];
        }
        for (const auto& key : file.metadata_order) {
            if (!file.find(key)) std::abort();
        }
        (void)sum;
    } catch (const qe::Error&) {
    }
    return 0;
}
