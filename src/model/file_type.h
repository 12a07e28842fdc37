// general.file_type: the "mostly X" label llama.cpp's tools give a whole GGUF file (LLAMA_FTYPE).
#pragma once

#include <optional>
#include <string_view>

namespace qe {

// "Q4_K_M" for 15, ...; nullopt for an id this program does not name.
std::optional<std::string_view> file_type_name(int id);
// The id of "q4_k_m" / "Q4_K_M", ...; nullopt when unknown.
std::optional<int> file_type_from_name(std::string_view name);

}  // namespace qe
