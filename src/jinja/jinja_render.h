// Walks a parsed template and produces its text, with Jinja2's scoping (a `for` iteration, a
// macro call and a `with` block each open a scope; `if` does not; `set` writes to the innermost
// scope, so only namespaces carry values out of a loop).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jinja/jinja_ast.h"
#include "jinja/jinja_budget.h"

namespace qe::jinja {

// Nested evaluation allowed (expressions, statements and macro calls together), so that
// recursion can't exhaust the stack whatever the template does.
inline constexpr int kMaxEvalDepth = 1000;

// `source` is the normalized template text (for error positions), `body` its parse. `variables`
// are visible to the template beside the globals (range, namespace, raise_exception, ...).
// Throws TemplateError (Render or Raised).
std::string render_template(std::string_view source, const Body& body,
                            std::vector<std::pair<std::string, Value>> variables,
                            const RenderLimits& limits);

}  // namespace qe::jinja
