// An import's progress for people: on a terminal one line redrawn in place (files, bytes, the
// file being read); otherwise one plain line per file ("kb: 3/40 files, 1.2 MB of 9.8 MB:
// path"), which logs keep and a test can wait for. Skipped files are listed as they happen.
#pragma once

#include <cstdio>

#include "library/importer.h"

namespace qe::cli {

class ImportProgressPrinter {
  public:
    explicit ImportProgressPrinter(FILE* out);
    void update(const library::ImportProgress& p);
    // One file's result worth telling (skipped, removed); keeps the progress line below it.
    void report(const library::FileResult& r);
    void finish();

  private:
    FILE* out_;
    bool tty_;
    bool on_line_ = false;
};

// "12 added, 3 updated, 40 unchanged, 2 skipped, 1 removed".
std::string import_summary(const library::ImportReport& report);

}  // namespace qe::cli
