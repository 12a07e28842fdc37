// Any bytes as a model hub's file listing (Hugging Face's tree, ModelScope's files): a digest of 64
// lowercase hex digits, "" or a qe::Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "fetch/model_source.h"

namespace {

void check(const std::string& sha) {
    if (sha.empty()) return;
    if (sha.size() != 64) __builtin_trap();
    for (char c : sha)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string listing(reinterpret_cast<const char*>(data), size);
    for (const char* file : {"m.gguf", "sub/m.gguf", ""}) {
        try {
            check(qe::fetch::huggingface_sha256(listing, file));
        } catch (const qe::Error&) {
        }
        try {
            check(qe::fetch::modelscope_sha256(listing, file));
        } catch (const qe::Error&) {
        }
    }
    return 0;
}
