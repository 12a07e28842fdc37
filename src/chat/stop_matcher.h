// Finds stop strings in streamed text, including ones that span several tokens. Text that might
// still turn out to be the start of a stop string is held back until it is certain either way,
// so a client never sees a partial stop string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qe {

class StopMatcher {
  public:
    explicit StopMatcher(std::vector<std::string> stops);

    struct Result {
        std::string emit;      // text that is now safe to send
        bool stopped = false;  // a stop string was found: `emit` ends just before it
    };

    // Appends newly decoded text. After a stop, further calls return nothing.
    Result push(std::string_view text);

    // The end of generation: releases whatever was held back.
    std::string flush();

  private:
    std::vector<std::string> stops_;
    std::string pending_;
    bool stopped_ = false;
};

}  // namespace qe
