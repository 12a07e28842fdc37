// Any bytes as a text, Markdown, CSV and TSV file: detected and decoded, or refused with a named
// reason; never a crash, never a chunk with broken UTF-8 or over the cap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "document_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (const char* name : {"a.txt", "a.md", "a.csv", "a.tsv"}) {
        qe::fuzz::check_document(qe::documents::read_document_bytes(bytes, name));
    }
    return 0;
}
