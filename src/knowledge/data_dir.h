// Where knowledge bases live: one `NAME.sqlite` per base in the data folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace qe::knowledge {

// The data folder: `flag` (--data-dir) when given, else $QWEN_EDGE_DATA, else
// $XDG_DATA_HOME/qwen-edge, else $HOME/.local/share/qwen-edge. Not created here.
std::filesystem::path data_dir(const std::optional<std::string>& flag);

// Throws qe::Error unless `name` can name a base: 1 to 64 characters of valid UTF-8 (Chinese
// allowed), no path separators, no control characters, not starting with a dot.
void validate_base_name(std::string_view name);

// data_dir / "knowledge" / "<name>.sqlite", the name validated.
std::filesystem::path base_path(const std::filesystem::path& data_dir, std::string_view name);

}  // namespace qe::knowledge
