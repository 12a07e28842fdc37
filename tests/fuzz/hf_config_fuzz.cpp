// Any bytes as a Hugging Face folder's config.json (Qwen2, Qwen3, Qwen3.5 with text_config,
// layer_types and rope_parameters): must read or be refused with qe::Error, never crash or throw
// anything else.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "model/config_loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // config_from_hf reads a folder: one per fuzzing process, config.json rewritten each time.
    static const std::filesystem::path folder = [] {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("qe_hf_config_fuzz_" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        return dir;
    }();
    {
        std::ofstream out(folder / "config.json", std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    }
    try {
        qe::config_from_hf(folder, 248320).validate();
    } catch (const qe::Error&) {
    }
    return 0;
}
