// Any bytes as a PDF through poppler: read or refused with a named reason, never a crash.
// Poppler itself is not instrumented: this finds what our side does with what it returns, and
// poppler's crashes on hostile files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "document_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    qe::fuzz::check_document(qe::documents::read_document_bytes(bytes, "file.pdf"));
    return 0;
}
