// Any text as a --memory-budget size: a number of bytes or a qe::Error naming the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/model_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        qe::parse_byte_size(text);
    } catch (const qe::Error&) {
    }
    return 0;
}
