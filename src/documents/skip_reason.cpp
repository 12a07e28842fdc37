#include "documents/skip_reason.h"

namespace qe::documents {

std::string_view skip_reason_name(SkipReason reason) {
    switch (reason) {
        case SkipReason::kUnsupportedFormat:
            return "unsupported_format";
        case SkipReason::kLegacyFormat:
            return "legacy_format";
        case SkipReason::kTooLarge:
            return "too_large";
        case SkipReason::kNotText:
            return "not_text";
        case SkipReason::kEncrypted:
            return "encrypted";
        case SkipReason::kNoTextLayer:
            return "no_text_layer";
        case SkipReason::kZipBomb:
            return "zip_bomb";
        case SkipReason::kBroken:
            return "broken";
        case SkipReason::kUnreadable:
            return "unreadable";
        case SkipReason::kEmpty:
            return "empty";
    }
    return "unknown";
}

}  // namespace qe::documents
