#include "io/json_file.h"

#include <string_view>

#include "core/error.h"
#include "core/mapped_file.h"
#include "io/json_checked.h"

namespace qe {

nlohmann::json read_json_file(const std::filesystem::path& path, uint64_t max_bytes) {
    const MappedFile file(path.string());
    const auto bytes = file.bytes();
    if (bytes.size() > max_bytes) {
        throw Error(path.string() + ": " + std::to_string(bytes.size()) +
                    " bytes is larger than the " + std::to_string(max_bytes) +
                    "-byte limit for a JSON file");
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return parse_json_checked(text, path.string());
}

}  // namespace qe
