// Jinja2's built-in tests (`x is defined`, `n is divisibleby 3`, `x is string`, ...).
#include <algorithm>

#include "jinja/jinja_builtins.h"
#include "jinja/jinja_text.h"

namespace qe::jinja {

namespace {

using Test = bool (*)(const Value& v, const Arguments& args);

Value only_argument(const char* name, const Arguments& args) {
    ArgBinder a(name, args, {"other"});
    if (!a.has(0)) throw EvalError(std::string("test '") + name + "' needs an argument");
    return a.get(0);
}

void no_arguments(const char* name, const Arguments& args) {
    ArgBinder(name, args, {});
}

int64_t integer_operand(const char* name, const Value& v) {
    if (v.is_undefined()) throw EvalError(v.as_undefined().hint);
    if (!v.is_int() && !v.is_bool()) {
        throw EvalError(std::string("test '") + name + "' needs an integer, not " + v.type_name());
    }
    return v.integer();
}

bool t_defined(const Value& v, const Arguments& a) {
    return no_arguments("defined", a), !v.is_undefined();
}
bool t_undefined(const Value& v, const Arguments& a) {
    return no_arguments("undefined", a), v.is_undefined();
}
bool t_none(const Value& v, const Arguments& a) {
    return no_arguments("none", a), v.is_none();
}
bool t_boolean(const Value& v, const Arguments& a) {
    return no_arguments("boolean", a), v.is_bool();
}
bool t_false(const Value& v, const Arguments& a) {
    return no_arguments("false", a), v.is_bool() && !v.as_bool();
}
bool t_true(const Value& v, const Arguments& a) {
    return no_arguments("true", a), v.is_bool() && v.as_bool();
}
bool t_integer(const Value& v, const Arguments& a) {
    return no_arguments("integer", a), v.is_int();
}
bool t_float(const Value& v, const Arguments& a) {
    return no_arguments("float", a), v.is_float();
}
bool t_number(const Value& v, const Arguments& a) {
    return no_arguments("number", a), v.is_number();
}
bool t_string(const Value& v, const Arguments& a) {
    return no_arguments("string", a), v.is_string();
}

bool t_mapping(const Value& v, const Arguments& a) {
    no_arguments("mapping", a);
    return v.is_dict() && v.as_dict().kind == DictObject::Kind::Dict;
}

bool t_iterable(const Value& v, const Arguments& a) {
    no_arguments("iterable", a);
    return v.is_string() || v.is_list() || v.is_undefined() ||
           (v.is_dict() && v.as_dict().kind == DictObject::Kind::Dict);
}

bool t_sequence(const Value& v, const Arguments& a) {
    return t_iterable(v, a);
}

// Python's callable(): Jinja2's Undefined defines __call__ (to raise), so it counts.
bool t_callable(const Value& v, const Arguments& a) {
    no_arguments("callable", a);
    return v.is_function() || v.is_undefined();
}

bool t_odd(const Value& v, const Arguments& a) {
    no_arguments("odd", a);
    return integer_operand("odd", v) % 2 != 0;
}

bool t_even(const Value& v, const Arguments& a) {
    no_arguments("even", a);
    return integer_operand("even", v) % 2 == 0;
}

bool t_divisibleby(const Value& v, const Arguments& a) {
    const Value n = only_argument("divisibleby", a);
    const int64_t d = integer_operand("divisibleby", n);
    if (d == 0) throw EvalError("integer division or modulo by zero");
    if (d == -1) return true;
    return integer_operand("divisibleby", v) % d == 0;
}

bool t_eq(const Value& v, const Arguments& a) {
    return equals(v, only_argument("eq", a));
}
bool t_ne(const Value& v, const Arguments& a) {
    return !equals(v, only_argument("ne", a));
}
bool t_lt(const Value& v, const Arguments& a) {
    return less_than(v, only_argument("lt", a));
}
bool t_gt(const Value& v, const Arguments& a) {
    return less_than(only_argument("gt", a), v);
}
bool t_le(const Value& v, const Arguments& a) {
    return !less_than(only_argument("le", a), v);
}
bool t_ge(const Value& v, const Arguments& a) {
    return !less_than(v, only_argument("ge", a));
}
bool t_in(const Value& v, const Arguments& a) {
    return contains(only_argument("in", a), v);
}

// Python's `is`: identity. Scalars of equal value count as the same object (True, None and small
// ints are singletons in CPython); containers compare by reference.
bool t_sameas(const Value& v, const Arguments& a) {
    const Value other = only_argument("sameas", a);
    if (v.data().index() != other.data().index()) return false;
    if (v.is_list()) return v.list_ptr() == other.list_ptr();
    if (v.is_dict()) return v.dict_ptr() == other.dict_ptr();
    if (v.is_function()) return &v.as_function() == &other.as_function();
    if (v.is_undefined()) return false;  // every Undefined is a distinct object
    return equals(v, other);
}

bool t_lower(const Value& v, const Arguments& a) {
    no_arguments("lower", a);
    return v.is_string() && to_lower(v.as_string()) == v.as_string();
}

bool t_upper(const Value& v, const Arguments& a) {
    no_arguments("upper", a);
    return v.is_string() && to_upper(v.as_string()) == v.as_string();
}

bool t_escaped(const Value&, const Arguments& a) {
    return no_arguments("escaped", a), false;
}

bool t_filter(const Value& v, const Arguments& a) {
    no_arguments("filter", a);
    return v.is_string() && has_filter(v.as_string());
}

bool t_test(const Value& v, const Arguments& a) {
    no_arguments("test", a);
    return v.is_string() && has_test(v.as_string());
}

struct TestEntry {
    std::string_view name;
    Test fn;
};

constexpr TestEntry kTests[] = {
    {"boolean", t_boolean},
    {"callable", t_callable},
    {"defined", t_defined},
    {"divisibleby", t_divisibleby},
    {"eq", t_eq},
    {"equalto", t_eq},
    {"==", t_eq},
    {"escaped", t_escaped},
    {"even", t_even},
    {"false", t_false},
    {"filter", t_filter},
    {"float", t_float},
    {"ge", t_ge},
    {">=", t_ge},
    {"gt", t_gt},
    {">", t_gt},
    {"greaterthan", t_gt},
    {"in", t_in},
    {"integer", t_integer},
    {"iterable", t_iterable},
    {"le", t_le},
    {"<=", t_le},
    {"lower", t_lower},
    {"lt", t_lt},
    {"<", t_lt},
    {"lessthan", t_lt},
    {"mapping", t_mapping},
    {"ne", t_ne},
    {"!=", t_ne},
    {"none", t_none},
    {"number", t_number},
    {"odd", t_odd},
    {"sameas", t_sameas},
    {"sequence", t_sequence},
    {"string", t_string},
    {"test", t_test},
    {"true", t_true},
    {"undefined", t_undefined},
    {"upper", t_upper},
};

const TestEntry* find_test(std::string_view name) {
    for (const auto& t : kTests) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

}  // namespace

bool has_test(std::string_view name) {
    return find_test(name) != nullptr;
}

bool apply_test(std::string_view name, const Value& operand, const Arguments& args) {
    const TestEntry* t = find_test(name);
    if (!t) throw EvalError("no test named '" + std::string(name) + "'");
    return t->fn(operand, args);
}

}  // namespace qe::jinja
