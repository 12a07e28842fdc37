#include "chat/stop_matcher.h"

#include <algorithm>

namespace qe {

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
    std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
}

StopMatcher::Result StopMatcher::push(std::string_view text) {
    Result r;
    if (stopped_) return r;
    pending_.append(text);

    // The earliest complete stop string ends generation.
    size_t first = std::string::npos;
    for (const auto& stop : stops_) first = std::min(first, pending_.find(stop));
    if (first != std::string::npos) {
        r.emit = pending_.substr(0, first);
        r.stopped = stopped_ = true;
        pending_.clear();
        return r;
    }

    // Hold back the longest tail that is a proper prefix of some stop string.
    size_t hold = 0;
    for (const auto& stop : stops_) {
        const size_t max_len = std::min(stop.size() - 1, pending_.size());
        for (size_t len = max_len; len > hold; --len) {
            if (std::string_view(pending_).substr(pending_.size() - len) ==
                std::string_view(stop).substr(0, len)) {
                hold = len;
                break;
            }
        }
    }
    r.emit = pending_.substr(0, pending_.size() - hold);
    pending_.erase(0, pending_.size() - hold);
    return r;
}

std::string StopMatcher::flush() {
    std::string out;
    if (!stopped_) out.swap(pending_);
    return out;
}

}  // namespace qe
