// What a model name means in the catalogue. Names are NAME[:SIZE][:QUANT], any case:
//   qwen3:0.6b            the family and size: its default quantization
//   qwen2.5:1.5b:q4_k_m   with a quantization
//   qwen3-embedding       a family alone: its smallest size
//   Qwen3-0.6B, qwen2.5-1.5b-instruct, Qwen/Qwen3-0.6B-GGUF   a model's full or repository
//                         name, optionally followed by :QUANT
#pragma once

#include <optional>
#include <string>

#include "fetch/model_catalogue.h"

namespace qe::fetch {

struct CatalogueChoice {
    const CatalogueEntry* entry = nullptr;
    std::string quant;  // as the name gives it; "" when it gives none
};

// The entry `name` means, or nullopt when it names no family or model of the catalogue. Throws
// qe::Error for a known family or model with a size or quantization it does not have, listing
// the ones it has.
std::optional<CatalogueChoice> parse_catalogue_name(const std::string& name);

}  // namespace qe::fetch
