// Writes a file through a temporary beside it and a rename, so a reader never sees a half-written
// file and a failed write leaves nothing behind.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace qe {

using ByteSink = std::function<void(const void* data, size_t size)>;

// Calls write(sink) with a sink into PATH.tmp, then publishes it as PATH (publish_file). Throws
// qe::Error naming the path on any I/O failure (and removes the temporary); exceptions from
// `write` propagate.
void write_file_atomically(const std::string& path,
                           const std::function<void(const ByteSink&)>& write);

// Moves the finished file TMP onto PATH durably: fsync TMP, rename it, fsync the folder, so after a
// crash PATH is either the old file or the whole new one. TMP must be in PATH's folder. Throws
// qe::Error naming both paths on failure (TMP is left in place for the caller to decide).
void publish_file(const std::string& tmp, const std::string& path);

}  // namespace qe
