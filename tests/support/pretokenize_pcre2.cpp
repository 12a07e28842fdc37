#include "support/pretokenize_pcre2.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

#include "core/error.h"

namespace qe {

struct Pcre2Splitter::Impl {
    pcre2_code* code = nullptr;
};

Pcre2Splitter::Pcre2Splitter() : impl_(std::make_unique<Impl>()) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    impl_->code = pcre2_compile(
        reinterpret_cast<PCRE2_SPTR>(kQwen2SplitPattern.data()), kQwen2SplitPattern.size(),
        PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset, nullptr);
    if (!impl_->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof(message));
        throw Error("PCRE2 cannot compile the split pattern at offset " + std::to_string(offset) +
                    ": " + reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if absent
}

Pcre2Splitter::~Pcre2Splitter() {
    if (impl_ && impl_->code) pcre2_code_free(impl_->code);
}

void Pcre2Splitter::split(std::string_view text, std::vector<std::string_view>& pieces) const {
    pcre2_match_data* match = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t pos = 0;
    while (pos < text.size()) {
        const int rc =
            pcre2_match(impl_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, match, nullptr);
        if (rc < 0) {  // no further match: the rest is one unmatched piece
            pieces.push_back(text.substr(pos));
            break;
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
        if (ovector[0] > pos) pieces.push_back(text.substr(pos, ovector[0] - pos));
        if (ovector[1] == ovector[0]) {  // the pattern has no empty matches; guard anyway
            pieces.push_back(text.substr(ovector[0]));
            break;
        }
        pieces.push_back(text.substr(ovector[0], ovector[1] - ovector[0]));
        pos = ovector[1];
    }
    pcre2_match_data_free(match);
}

}  // namespace qe
