// The embedder a knowledge base was built with, kept in its meta table.
#pragma once

#include <optional>
#include <string>

#include "knowledge/knowledge_input.h"

namespace qe::knowledge {

class Db;

std::optional<EmbedderInfo> read_embedder(Db& db);
void write_embedder(Db& db, const EmbedderInfo& embedder);

// "name (digest D, N dims, instruction "I")", for messages.
std::string describe(const EmbedderInfo& embedder);

// Throws qe::Error unless `configured` is the embedder `db` was built with; the message names
// both and how to re-index.
void check_same_embedder(Db& db, const EmbedderInfo& recorded, const EmbedderInfo& configured);

}  // namespace qe::knowledge
