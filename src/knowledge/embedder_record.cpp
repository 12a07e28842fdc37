#include "knowledge/embedder_record.h"

#include <charconv>

#include "core/error.h"
#include "knowledge/schema.h"
#include "knowledge/sqlite_db.h"

namespace qe::knowledge {

std::optional<EmbedderInfo> read_embedder(Db& db) {
    EmbedderInfo e;
    e.name = meta_get(db, "embedder.name");
    if (e.name.empty()) return std::nullopt;
    e.digest = meta_get(db, "embedder.digest");
    e.instruction = meta_get(db, "embedder.instruction");
    const std::string dims = meta_get(db, "embedder.dims");
    const auto [end, ec] = std::from_chars(dims.data(), dims.data() + dims.size(), e.dims);
    if (ec != std::errc() || end != dims.data() + dims.size() || e.dims <= 0) {
        throw Error(db.path() + ": the embedder record has bad dimensions \"" + dims + "\"");
    }
    return e;
}

void write_embedder(Db& db, const EmbedderInfo& e) {
    meta_set(db, "embedder.name", e.name);
    meta_set(db, "embedder.digest", e.digest);
    meta_set(db, "embedder.dims", std::to_string(e.dims));
    meta_set(db, "embedder.instruction", e.instruction);
}

std::string describe(const EmbedderInfo& e) {
    return "'" + e.name + "' (digest " + (e.digest.empty() ? "none" : e.digest) + ", " +
           std::to_string(e.dims) + " dims, instruction \"" + e.instruction + "\")";
}

void check_same_embedder(Db& db, const EmbedderInfo& recorded, const EmbedderInfo& configured) {
    if (recorded == configured) return;
    throw Error(db.path() + ": this knowledge base was built with the embedder " +
                describe(recorded) + ", not with the configured " + describe(configured) +
                ": vectors of different models cannot be compared. Use the same embedding model, "
                "or re-index the base's vectors with the new one (reindex_vectors)");
}

}  // namespace qe::knowledge
