// Any bytes as a streamed answer, cut into pieces where the first byte says: the splitter never
// crashes, and its thinking and content do not depend on how the text was cut.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/reasoning_splitter.h"

namespace {

struct Split {
    std::string reasoning, content;
};

Split run(std::string_view text, bool in_thinking, size_t piece) {
    qe::ReasoningSplitter s(in_thinking);
    Split out;
    auto add = [&](const qe::ReasoningSplitter::Pieces& p) {
        // All reasoning comes before any content.
        if (!p.reasoning.empty() && !out.content.empty()) __builtin_trap();
        out.reasoning += p.reasoning;
        out.content += p.content;
    };
    for (size_t at = 0; at < text.size(); at += piece) add(s.push(text.substr(at, piece)));
    add(s.finish());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool in_thinking = data[0] & 1;
    const size_t piece = 1 + (data[0] >> 1) % 9;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const Split whole = run(text, in_thinking, text.size() + 1);
    const Split cut = run(text, in_thinking, piece);
    if (whole.reasoning != cut.reasoning || whole.content != cut.content) __builtin_trap();
    return 0;
}
