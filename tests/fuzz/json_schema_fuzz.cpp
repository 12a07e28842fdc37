// Any bytes as a JSON schema: the compiler throws only qe::Error (never a JSON library exception,
// never a crash or a runaway), and the grammar it makes can be followed from its start to a
// complete document along its shortest path.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/error.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"

namespace {

// Greedy descent: some byte always lowers the distance by one, until the document is whole.
void descend(const std::shared_ptr<const qe::grammar::Grammar>& g) {
    qe::grammar::Matcher m(g);
    for (int step = 0; step < 512 && !m.accepting(); ++step) {
        const uint32_t d = m.distance();
        bool moved = false;
        for (int b = 0; b < 256 && !moved; ++b) {
            const char c = char(b);
            if (!m.accept(std::string_view(&c, 1))) continue;
            if (m.distance() == d - 1) {
                moved = true;
            } else {
                m.rewind(1);
            }
        }
        if (!moved) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const nlohmann::json schema = nlohmann::json::parse(text, nullptr, false);
    if (schema.is_discarded()) return 0;
    try {
        descend(
            std::make_shared<const qe::grammar::Grammar>(qe::grammar::compile_json_schema(schema)));
    } catch (const qe::Error&) {
        // A schema refused, or one so ambiguous that it keeps more than kMaxStacks parses.
    }
    return 0;
}
