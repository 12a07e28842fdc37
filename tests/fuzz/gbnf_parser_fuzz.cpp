// Any bytes as GBNF text, and the text's own bytes fed to the grammar it made: the parser throws
// only qe::Error, and the matcher keeps its invariants (a complete document is 0 bytes from its
// end; a refused byte changes nothing; a rewind returns to the state before).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/error.h"
#include "grammar/gbnf_parser.h"
#include "grammar/matcher.h"

namespace {

void follow(const std::shared_ptr<const qe::grammar::Grammar>& g, std::string_view input) {
    qe::grammar::Matcher m(g);
    for (size_t at = 0; at < input.size() && at < 256; ++at) {
        const uint32_t before = m.distance();
        if (!m.accept(input.substr(at, 1))) {
            if (m.distance() != before) __builtin_trap();
            continue;
        }
        if (m.accepting() != (m.distance() == 0)) __builtin_trap();
        if (at % 7 == 0) {
            m.rewind(1);
            if (m.distance() != before) __builtin_trap();
            if (!m.accept(input.substr(at, 1))) __builtin_trap();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The grammar is the text up to the first NUL, the bytes to match the rest.
    const size_t nul = text.find('\0');
    const std::string_view source = text.substr(0, nul);
    const std::string_view input = nul == std::string_view::npos ? "" : text.substr(nul + 1);
    try {
        const auto g =
            std::make_shared<const qe::grammar::Grammar>(qe::grammar::parse_gbnf(source));
        follow(g, input);
    } catch (const qe::Error&) {
        // A bad grammar, or one so ambiguous that it keeps more than kMaxStacks parses.
    }
    return 0;
}
