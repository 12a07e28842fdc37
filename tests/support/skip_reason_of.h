// The reason a documents reader refuses its input with, for checks of the named reasons.
#pragma once

#include <functional>
#include <optional>

#include "documents/skip_reason.h"

namespace qe::test {

// The reason of the DocumentError that f throws; nullopt when it throws none.
inline std::optional<documents::SkipReason> skip_reason_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const documents::DocumentError& e) {
        return e.reason();
    }
    return std::nullopt;
}

}  // namespace qe::test
