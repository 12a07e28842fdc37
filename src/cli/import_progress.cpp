#include "cli/import_progress.h"

#include <string>

#include "fetch/progress.h"

namespace qe::cli {

ImportProgressPrinter::ImportProgressPrinter(FILE* out)
    : out_(out), tty_(fetch::ProgressReporter::stream_is_terminal(out)) {}

void ImportProgressPrinter::update(const library::ImportProgress& p) {
    if (p.current.empty()) return;  // the end: finish() closes the line
    std::string line = "kb: " + std::to_string(p.files_done + 1) + "/" +
                       std::to_string(p.files_total) + " files, " +
                       fetch::format_bytes(p.bytes_done) + " of " +
                       fetch::format_bytes(p.bytes_total) + ": " + p.current;
    if (tty_) {
        const int width = fetch::terminal_width(out_);
        if (int(line.size()) > width - 1) line.resize(size_t(std::max(0, width - 1)));
        std::fprintf(out_, "\r\033[K%s", line.c_str());
        on_line_ = true;
    } else {
        std::fprintf(out_, "%s\n", line.c_str());
    }
    std::fflush(out_);
}

void ImportProgressPrinter::report(const library::FileResult& r) {
    if (r.outcome != library::Outcome::kSkipped && r.outcome != library::Outcome::kRemoved) return;
    if (on_line_) std::fprintf(out_, "\r\033[K");
    on_line_ = false;
    if (r.outcome == library::Outcome::kSkipped)
        std::fprintf(out_, "kb: skipped %s (%s): %s\n", r.document.c_str(), r.reason.c_str(),
                     r.message.c_str());
    else
        std::fprintf(out_, "kb: removed %s (the file is gone)\n", r.document.c_str());
    std::fflush(out_);
}

void ImportProgressPrinter::finish() {
    if (on_line_) std::fprintf(out_, "\r\033[K");
    on_line_ = false;
    std::fflush(out_);
}

std::string import_summary(const library::ImportReport& report) {
    using library::Outcome;
    std::string s;
    for (Outcome o : {Outcome::kAdded, Outcome::kUpdated, Outcome::kUnchanged, Outcome::kSkipped,
                      Outcome::kRemoved}) {
        if (!s.empty()) s += ", ";
        s += std::to_string(report.count(o)) + " " + std::string(library::outcome_name(o));
    }
    return s;
}

}  // namespace qe::cli
