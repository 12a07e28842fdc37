// The same split done by PCRE2 (UTF + UCP, JIT-compiled): the straightforward alternative to the
// hand-written matcher, kept as an independent cross-check in tests and as the baseline in the
// benchmark. PCRE2 10.42 carries Unicode 14 tables, so it differs from the reference on
// characters assigned later.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "tokenizer/pretokenize.h"

namespace qe {

class Pcre2Splitter {
  public:
    Pcre2Splitter();  // compiles the pattern; throws qe::Error if PCRE2 refuses it
    ~Pcre2Splitter();
    Pcre2Splitter(const Pcre2Splitter&) = delete;
    Pcre2Splitter& operator=(const Pcre2Splitter&) = delete;

    // Appends the pieces of `text` (valid UTF-8) to `pieces`.
    void split(std::string_view text, std::vector<std::string_view>& pieces) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace qe
