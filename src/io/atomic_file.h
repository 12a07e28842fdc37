// Writes a file through a temporary beside it and a rename, so a reader never sees a half-written
// file and a failed write leaves nothing behind.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace qe {

using ByteSink = std::function<void(const void* data, size_t size)>;

// Calls write(sink) with a sink into PATH.tmp, then renames it to PATH. Throws qe::Error naming
// the path on any I/O failure (and removes the temporary); exceptions from `write` propagate.
void write_file_atomically(const std::string& path,
                           const std::function<void(const ByteSink&)>& write);

}  // namespace qe
