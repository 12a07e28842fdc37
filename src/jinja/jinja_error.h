// The one error type of the template engine: a qe::Error that knows where in the template it
// happened and whether the template could not be parsed, failed while rendering, or rejected the
// conversation itself through raise_exception().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace qe::jinja {

// Position of a byte offset, both 1-based; the column counts code points.
struct SourcePosition {
    uint32_t line = 1;
    uint32_t column = 1;
};
SourcePosition locate(std::string_view source, uint32_t offset);

class TemplateError : public qe::Error {
  public:
    enum class Kind {
        Syntax,  // the template text is not valid (or uses an unsupported tag)
        Render,  // evaluation failed: a type error, an undefined value misused, a limit hit
        Raised,  // the template called raise_exception(message)
    };

    TemplateError(Kind kind, SourcePosition position, std::string detail);

    Kind kind() const { return kind_; }
    SourcePosition position() const { return position_; }
    const std::string& detail() const { return detail_; }  // the message without the position

  private:
    Kind kind_;
    SourcePosition position_;
    std::string detail_;
};

[[noreturn]] void throw_syntax_error(std::string_view source, uint32_t offset,
                                     const std::string& detail);

}  // namespace qe::jinja
