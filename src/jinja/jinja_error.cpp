#include "jinja/jinja_error.h"

#include <algorithm>

namespace qe::jinja {

namespace {

std::string describe(TemplateError::Kind kind, SourcePosition pos, const std::string& detail) {
    const char* what = kind == TemplateError::Kind::Syntax   ? "syntax error"
                       : kind == TemplateError::Kind::Raised ? "raised an exception"
                                                             : "render error";
    return std::string("chat template ") + what + " at line " + std::to_string(pos.line) +
           ", column " + std::to_string(pos.column) + ": " + detail;
}

}  // namespace

SourcePosition locate(std::string_view source, uint32_t offset) {
    SourcePosition pos;
    const size_t end = std::min<size_t>(offset, source.size());
    for (size_t i = 0; i < end; ++i) {
        const auto c = static_cast<unsigned char>(source[i]);
        if (c == '\n') {
            ++pos.line;
            pos.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++pos.column;
        }
    }
    return pos;
}

TemplateError::TemplateError(Kind kind, SourcePosition position, std::string detail)
    : qe::Error(describe(kind, position, detail)),
      kind_(kind),
      position_(position),
      detail_(std::move(detail)) {}

void throw_syntax_error(std::string_view source, uint32_t offset, const std::string& detail) {
    throw TemplateError(TemplateError::Kind::Syntax, locate(source, offset), detail);
}

}  // namespace qe::jinja
