// What templates can call and touch: operators, attribute and item access (with Python's str,
// list and dict methods), Jinja2's built-in filters and tests, and the globals transformers
// provides (range, namespace, dict, raise_exception, strftime_now). Each follows the behaviour of
// Jinja2 3.1 in transformers' ImmutableSandboxedEnvironment.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jinja/jinja_ast.h"
#include "jinja/jinja_budget.h"
#include "jinja/jinja_value.h"

namespace qe::jinja {

// Thrown by raise_exception(message): the template rejects the conversation on purpose.
class RaisedError : public EvalError {
  public:
    using EvalError::EvalError;
};

// Python-style binding of call arguments to named parameters: positional ones first, then by
// keyword. Unknown keywords, duplicates and too many positional arguments are errors.
class ArgBinder {
  public:
    ArgBinder(std::string_view callee, const Arguments& args,
              std::initializer_list<std::string_view> params);

    bool has(size_t i) const { return values_[i] != nullptr; }
    // The argument, or undefined when it was not given.
    Value get(size_t i) const;
    Value get_or(size_t i, Value fallback) const;
    int64_t get_int(size_t i, int64_t fallback) const;
    bool get_bool(size_t i, bool fallback) const;  // by truthiness
    // A str argument; absent or None gives nullopt; other types are an error.
    std::optional<std::string> get_string(size_t i) const;

  private:
    std::string callee_;
    std::vector<std::string_view> params_;
    std::vector<const Value*> values_;
};

// Python's iter(): list items, dict keys, string characters; undefined iterates as empty.
std::vector<Value> iterate(const Value& v, Budget& budget);

// `object.name`: Jinja2's sandboxed getattr: methods of str/list/dict first (the sandbox refuses
// mutating ones: those yield an undefined that errors when called), then, unless `python_only`
// (the attr filter), dict items.
Value get_attribute(const Value& object, const std::string& name, Budget& budget,
                    bool python_only = false);
// `object[key]`: items first, then attributes for string keys; a missing item is undefined.
Value get_item(const Value& object, const Value& key, Budget& budget);
// `object[start:stop:step]` on lists and strings (absent parts are undefined).
Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step,
                Budget& budget);

Value binary_op(BinaryOp op, const Value& a, const Value& b, Budget& budget);
Value negate(const Value& v, bool plus);

// printf-style `format % args` (the % operator on strings and the format filter).
std::string percent_format(const std::string& format, const Value& args, Budget& budget);

bool has_filter(std::string_view name);
Value apply_filter(std::string_view name, const Value& operand, const Arguments& args,
                   Budget& budget);

bool has_test(std::string_view name);
bool apply_test(std::string_view name, const Value& operand, const Arguments& args);

std::vector<std::pair<std::string, Value>> make_globals(Budget& budget);

}  // namespace qe::jinja
