// A first `qwen-edge serve`: no model named and none in the models folder. The server is already
// up; this downloads the default model (fetch/model_pull.h, as `pull` does) while the terminal
// and GET /health show the progress, and a failed download is tried again after a pause (a cut
// one resumes) until it succeeds, a model file appears in the models folder, or the server stops.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "fetch/model_source.h"
#include "server/model_status.h"

namespace qe::cli {

// Set once, by the signal thread; waited on by whoever must stop early.
class StopFlag {
  public:
    void request();
    bool requested() const;
    // Waits up to `seconds`; true when a stop was requested.
    bool wait_for(double seconds) const;

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    bool requested_ = false;
};

struct FirstStartOptions {
    std::optional<fetch::Source> source;  // none: Hugging Face, then ModelScope
    bool allow_unverified = false;        // --no-verify
    int first_retry_wait_s = 10;          // pause after a failed download; doubles up to
    int max_retry_wait_s = 300;           // this
};

// Downloads the default model into the models folder and returns its path; "" when `stop` was
// requested first.
std::string download_first_model(ModelStatus& status, const FirstStartOptions& options,
                                 const StopFlag& stop);

}  // namespace qe::cli
