// Any bytes as a safetensors file (and as a shard index): must parse or be refused with
// qe::Error; a parsed file's tensors must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/error.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const qe::SafetensorsFile file = qe::parse_safetensors(std::span(data, size), "fuzz");
        for (const auto& t : file.tensors) {
            const auto* p = static_cast<const uint8_t*>(t.data);
            if (p < data || p + t.nbytes > data + size) std::abort();
            if (t.nbytes) (void)*(volatile const uint8_t*)(p + t.nbytes - 1);
        }
    } catch (const qe::Error&) {
    }
    try {
        qe::parse_safetensors_index(std::string_view(reinterpret_cast<const char*>(data), size),
                                    "fuzz.index.json");
    } catch (const qe::Error&) {
    }
    return 0;
}
