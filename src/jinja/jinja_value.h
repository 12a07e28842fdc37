// The values a chat template computes with, modelled on the Python objects Jinja2 sees when
// transformers renders a template: undefined, None, bool, int, float, str, list/tuple, dict,
// namespace and callables. Lists and dicts are shared (Python references) and never change once
// built; only namespaces change, through `{% set ns.attr = ... %}`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace qe::jinja {

// An error while evaluating; the interpreter adds the template position.
class EvalError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Nesting depth allowed for lists and dicts (input JSON and values built by the template), so
// that printing, comparing and freeing a value never recurses without bound.
inline constexpr uint32_t kMaxValueDepth = 512;

// Bound on a value's weight: 1 per scalar, 1 + bytes/16 per string, 1 + the children's weights
// per container, with shared children counted each time they appear. Walking a value (printing,
// comparing, tojson) costs at most its weight, so a template that doubles a list in a loop hits
// this bound instead of building something that takes hours to print.
inline constexpr uint64_t kMaxValueWeight = uint64_t{1} << 22;

class Value;
struct ListObject;
struct DictObject;
struct FunctionObject;
using ListPtr = std::shared_ptr<ListObject>;
using DictPtr = std::shared_ptr<DictObject>;
using FunctionPtr = std::shared_ptr<FunctionObject>;

// Jinja2's default Undefined: falsy, prints as "", iterates as empty; touching its attributes,
// items, calling it or doing arithmetic with it is an error that quotes `hint`.
struct Undefined {
    std::string hint;     // "'name' is undefined", "'dict object' has no attribute 'x'"
    bool unsafe = false;  // an attribute the sandbox refuses (dict.update): calling it fails
};

class Value {
  public:
    using Storage = std::variant<Undefined, std::nullptr_t, bool, int64_t, double, std::string,
                                 ListPtr, DictPtr, FunctionPtr>;

    Value() = default;
    Value(std::nullptr_t) : data_(nullptr) {}
    Value(bool b) : data_(b) {}
    Value(int i) : data_(int64_t{i}) {}
    Value(int64_t i) : data_(i) {}
    Value(double d) : data_(d) {}
    Value(std::string s) : data_(std::move(s)) {}
    Value(std::string_view s) : data_(std::string(s)) {}
    Value(const char* s) : data_(std::string(s)) {}
    Value(ListPtr l) : data_(std::move(l)) {}
    Value(DictPtr d) : data_(std::move(d)) {}
    Value(FunctionPtr f) : data_(std::move(f)) {}

    static Value undefined(std::string hint, bool unsafe = false) {
        Value v;
        v.data_ = Undefined{std::move(hint), unsafe};
        return v;
    }
    // A list (or tuple); throws EvalError for a namespace or loop item, or past the depth and
    // weight bounds.
    static Value list(std::vector<Value> items, bool tuple = false);

    bool is_undefined() const { return std::holds_alternative<Undefined>(data_); }
    bool is_none() const { return std::holds_alternative<std::nullptr_t>(data_); }
    bool is_bool() const { return std::holds_alternative<bool>(data_); }
    bool is_int() const { return std::holds_alternative<int64_t>(data_); }
    bool is_float() const { return std::holds_alternative<double>(data_); }
    bool is_number() const { return is_int() || is_float() || is_bool(); }  // Python: bool is int
    bool is_string() const { return std::holds_alternative<std::string>(data_); }
    bool is_list() const { return std::holds_alternative<ListPtr>(data_); }
    bool is_dict() const { return std::holds_alternative<DictPtr>(data_); }
    bool is_function() const { return std::holds_alternative<FunctionPtr>(data_); }
    bool is_namespace() const;
    bool is_tuple() const;

    bool as_bool() const { return std::get<bool>(data_); }
    int64_t as_int() const { return std::get<int64_t>(data_); }
    const std::string& as_string() const { return std::get<std::string>(data_); }
    const Undefined& as_undefined() const { return std::get<Undefined>(data_); }
    const ListObject& as_list() const { return *std::get<ListPtr>(data_); }
    DictObject& as_dict() const { return *std::get<DictPtr>(data_); }
    const FunctionObject& as_function() const { return *std::get<FunctionPtr>(data_); }
    const ListPtr& list_ptr() const { return std::get<ListPtr>(data_); }
    const DictPtr& dict_ptr() const { return std::get<DictPtr>(data_); }

    // bool and int as int64, for arithmetic (callers check is_int() || is_bool()).
    int64_t integer() const { return is_bool() ? int64_t{as_bool()} : as_int(); }
    // Any number as double.
    double number() const;

    bool truthy() const;
    uint32_t depth() const;   // 0 for scalars, 1 + deepest child for containers
    uint64_t weight() const;  // see kMaxValueWeight
    // Namespaces and loop objects are the only objects that change after they are built; they
    // may not be put into lists, dicts or namespaces, so no reference cycle can ever form.
    bool is_mutable_object() const;
    // Python's type name, for error messages: 'str', 'int', 'NoneType', 'list', 'dict', ...
    std::string type_name() const;

    const Storage& data() const { return data_; }

  private:
    Storage data_;
};

struct ListObject {
    std::vector<Value> items;
    bool is_tuple = false;
    uint32_t depth = 1;
    uint64_t weight = 1;
};

// Insertion-ordered str -> Value map (Python dicts keep insertion order). Also backs namespaces
// (the only mutable object) and the `loop` variable.
struct DictObject {
    enum class Kind { Dict, Namespace, Loop };

    Kind kind = Kind::Dict;
    std::vector<std::pair<std::string, Value>> entries;
    uint32_t depth = 1;
    uint64_t weight = 1;

    const Value* find(std::string_view key) const;
    // Inserts or replaces (keeping the key's first position); keeps depth and weight up to date.
    // Throws EvalError for a namespace or loop value, or past the depth and weight bounds.
    void set(std::string key, Value value);
    size_t size() const { return entries.size(); }

  private:
    static constexpr size_t kLinearSearchSize = 16;     // beyond this, lookups use index_
    std::map<std::string, size_t, std::less<>> index_;  // key -> position in entries
};

struct Arguments {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> named;
};

struct FunctionObject {
    std::string name;
    std::function<Value(Arguments&)> call;
};

DictPtr make_dict(DictObject::Kind kind = DictObject::Kind::Dict);
FunctionPtr make_function(std::string name, std::function<Value(Arguments&)> call);

// Python semantics of ==, <, `in`.
bool equals(const Value& a, const Value& b);
bool less_than(const Value& a, const Value& b);  // throws EvalError for unordered types
bool contains(const Value& container, const Value& item);

// Python's str() and repr(). Throw EvalError when the text would exceed `max_bytes`.
std::string to_str(const Value& v, size_t max_bytes = SIZE_MAX);
std::string repr(const Value& v, size_t max_bytes = SIZE_MAX);

// json.dumps(value, ensure_ascii, indent, separators, sort_keys) as transformers' tojson calls it.
struct JsonStyle {
    std::optional<std::string> indent;  // absent: one line
    std::string item_separator = ", ";
    std::string key_separator = ": ";
    bool sort_keys = false;
    bool ensure_ascii = false;
};
std::string to_json(const Value& v, const JsonStyle& style, size_t max_bytes = SIZE_MAX);

// JSON (in its key order) -> Value; throws EvalError past kMaxValueDepth.
Value from_json(const nlohmann::ordered_json& j);

}  // namespace qe::jinja
