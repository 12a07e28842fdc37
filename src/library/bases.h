// The knowledge bases of a data folder (knowledge/data_dir.h): one "<name>.sqlite" each, with its
// WAL files beside it. Names are checked with validate_base_name; errors are qe::Error naming the
// base and the folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "knowledge/knowledge_base.h"

namespace qe::library {

struct BaseSummary {
    std::string name;
    int64_t documents = 0, chunks = 0;
    std::optional<knowledge::EmbedderInfo> embedder;
    uint64_t bytes = 0;  // the base's files on disk (database and WAL)
};

class BaseNotFound : public Error {
  public:
    using Error::Error;
};
class BaseExists : public Error {
  public:
    using Error::Error;
};

class Bases {
  public:
    explicit Bases(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

    const std::filesystem::path& data_dir() const { return data_dir_; }
    std::filesystem::path path_of(const std::string& name) const;  // validates the name
    bool exists(const std::string& name) const;
    std::vector<std::string> names() const;  // sorted

    // Creates an empty base; throws BaseExists when there is one of that name.
    void create(const std::string& name) const;
    // Opens an existing base (BaseNotFound otherwise), with `embedder` when given.
    std::unique_ptr<knowledge::KnowledgeBase> open(
        const std::string& name, std::optional<knowledge::EmbedderInfo> embedder = {}) const;
    // Removes the base's files; throws BaseNotFound when there is none.
    void remove(const std::string& name) const;
    BaseSummary summary(const std::string& name) const;

    // A folder in the data folder for files on their way in (uploads), created on demand.
    std::filesystem::path incoming_dir() const;

  private:
    std::filesystem::path data_dir_;
};

}  // namespace qe::library
