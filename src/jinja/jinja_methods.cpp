// Attribute and item access, and the Python str / list / dict methods templates call
// (`content.strip()`, `message.get('x')`, `text.split('\n')`, ...).
#include <algorithm>

#include "jinja/jinja_builtins.h"
#include "jinja/jinja_text.h"

namespace qe::jinja {

namespace {

using Method = Value (*)(const Value& self, const Arguments& args, Budget& budget);

Value str_list(std::vector<std::string> parts) {
    std::vector<Value> items;
    items.reserve(parts.size());
    for (auto& p : parts) items.emplace_back(std::move(p));
    return Value::list(std::move(items));
}

// str.startswith / endswith accept one prefix or a tuple of them.
bool affix_matches(const Value& self, const Arguments& args, bool suffix, const char* name) {
    ArgBinder a(name, args, {"prefix"});
    const Value affix = a.get(0);
    std::vector<Value> options;
    if (affix.is_list()) {
        options = affix.as_list().items;
    } else {
        options.push_back(affix);
    }
    const std::string& s = self.as_string();
    for (const auto& o : options) {
        if (!o.is_string()) {
            throw EvalError(std::string(name) + " first arg must be str or a tuple of str, not " +
                            o.type_name());
        }
        const std::string& x = o.as_string();
        if (x.size() <= s.size() && (suffix ? s.compare(s.size() - x.size(), x.size(), x) == 0
                                            : s.compare(0, x.size(), x) == 0)) {
            return true;
        }
    }
    return false;
}

Value str_strip(const Value& self, const Arguments& args, bool left, bool right, const char* name) {
    ArgBinder a(name, args, {"chars"});
    return strip(self.as_string(), a.get_string(0), left, right);
}

Value str_split(const Value& self, const Arguments& args, bool from_right, Budget& budget) {
    ArgBinder a(from_right ? "rsplit" : "split", args, {"sep", "maxsplit"});
    const auto sep = a.get_string(0);
    if (sep && sep->empty()) throw EvalError("empty separator");
    budget.step(self.as_string().size() / 64);
    return str_list(split(self.as_string(), sep, static_cast<long>(a.get_int(1, -1)), from_right));
}

Value str_replace(const Value& self, const Arguments& args, Budget& budget) {
    ArgBinder a("replace", args, {"old", "new", "count"});
    const auto old_text = a.get_string(0);
    const auto new_text = a.get_string(1);
    if (!old_text || !new_text) throw EvalError("replace() arguments must be str");
    int64_t count = a.get_int(2, -1);
    const std::string& s = self.as_string();
    std::string out;
    if (old_text->empty()) {
        // Python inserts `new` between every character and at both ends.
        const std::u32string cps = decode_utf8(s);
        for (size_t i = 0; i <= cps.size(); ++i) {
            if (count != 0) {
                out += *new_text;
                --count;
            }
            if (i < cps.size()) append_utf8(out, cps[i]);
            budget.check_size(out.size());
        }
        budget.build(out.size());
        return out;
    }
    size_t pos = 0;
    while (count != 0) {
        const size_t at = s.find(*old_text, pos);
        if (at == std::string::npos) break;
        out.append(s, pos, at - pos);
        out += *new_text;
        budget.check_size(out.size());
        pos = at + old_text->size();
        --count;
    }
    out.append(s, pos, std::string::npos);
    budget.build(out.size());
    return out;
}

Value str_find(const Value& self, const Arguments& args, bool reverse, bool raise) {
    ArgBinder a(reverse ? "rfind" : raise ? "index" : "find", args, {"sub"});
    const auto sub = a.get_string(0);
    if (!sub) throw EvalError("must be str, not NoneType");
    const std::string& s = self.as_string();
    const size_t at = reverse ? s.rfind(*sub) : s.find(*sub);
    if (at == std::string::npos) {
        if (raise) throw EvalError("substring not found");
        return -1;
    }
    return static_cast<int64_t>(count_code_points(std::string_view(s).substr(0, at)));
}

Value str_count(const Value& self, const Arguments& args) {
    ArgBinder a("count", args, {"sub"});
    const auto sub = a.get_string(0);
    if (!sub) throw EvalError("must be str, not NoneType");
    const std::string& s = self.as_string();
    if (sub->empty()) return static_cast<int64_t>(count_code_points(s) + 1);
    int64_t n = 0;
    for (size_t at = s.find(*sub); at != std::string::npos; at = s.find(*sub, at + sub->size()))
        ++n;
    return n;
}

Value str_join(const Value& self, const Arguments& args, Budget& budget) {
    ArgBinder a("join", args, {"iterable"});
    std::string out;
    bool first = true;
    for (const Value& item : iterate(a.get(0), budget)) {
        if (!item.is_string()) {
            throw EvalError("sequence item: expected str instance, " + item.type_name() + " found");
        }
        if (!first) out += self.as_string();
        out += item.as_string();
        first = false;
        budget.check_size(out.size());
    }
    budget.build(out.size());
    return out;
}

// str.isdigit / isalpha / isspace / ... : true when non-empty and every character passes.
template <typename Pred>
Value str_all(const Value& self, const Arguments& args, const char* name, Pred pred) {
    ArgBinder a(name, args, {});
    const std::u32string cps = decode_utf8(self.as_string());
    if (cps.empty()) return false;
    return std::all_of(cps.begin(), cps.end(), pred);
}

bool ascii_digit(char32_t c) {
    return c >= '0' && c <= '9';
}
bool ascii_alpha(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Value call_str_method(const std::string& name, const Value& self, const Arguments& args,
                      Budget& budget) {
    const std::string& s = self.as_string();
    auto no_args = [&]() { ArgBinder(name, args, {}); };
    if (name == "strip") return str_strip(self, args, true, true, "strip");
    if (name == "lstrip") return str_strip(self, args, true, false, "lstrip");
    if (name == "rstrip") return str_strip(self, args, false, true, "rstrip");
    if (name == "split") return str_split(self, args, false, budget);
    if (name == "rsplit") return str_split(self, args, true, budget);
    if (name == "startswith") return affix_matches(self, args, false, "startswith");
    if (name == "endswith") return affix_matches(self, args, true, "endswith");
    if (name == "replace") return str_replace(self, args, budget);
    if (name == "find") return str_find(self, args, false, false);
    if (name == "rfind") return str_find(self, args, true, false);
    if (name == "index") return str_find(self, args, false, true);
    if (name == "count") return str_count(self, args);
    if (name == "join") return str_join(self, args, budget);
    if (name == "upper") return no_args(), Value(to_upper(s));
    if (name == "lower") return no_args(), Value(to_lower(s));
    if (name == "title") return no_args(), Value(title_case(s));
    if (name == "capitalize") return no_args(), Value(capitalize(s));
    if (name == "splitlines") return no_args(), str_list(split_lines(s));
    if (name == "isdigit") return str_all(self, args, "isdigit", ascii_digit);
    if (name == "isalpha") return str_all(self, args, "isalpha", ascii_alpha);
    if (name == "isalnum") {
        return str_all(self, args, "isalnum",
                       [](char32_t c) { return ascii_digit(c) || ascii_alpha(c); });
    }
    if (name == "isspace") return str_all(self, args, "isspace", is_space);
    if (name == "isupper")
        return no_args(), Value(!s.empty() && to_upper(s) == s && to_lower(s) != s);
    if (name == "islower")
        return no_args(), Value(!s.empty() && to_lower(s) == s && to_upper(s) != s);
    throw EvalError("str method '" + name + "' is not supported");
}

bool is_str_method(std::string_view n) {
    static constexpr std::string_view kNames[] = {
        "strip",    "lstrip",  "rstrip",  "split",   "rsplit",     "startswith",
        "endswith", "replace", "find",    "rfind",   "index",      "count",
        "join",     "upper",   "lower",   "title",   "capitalize", "splitlines",
        "isdigit",  "isalpha", "isalnum", "isspace", "isupper",    "islower"};
    return std::find(std::begin(kNames), std::end(kNames), n) != std::end(kNames);
}

Value call_list_method(const std::string& name, const Value& self, const Arguments& args,
                       Budget& budget) {
    const auto& items = self.as_list().items;
    budget.walk(self);
    if (name == "index" || name == "count") {
        ArgBinder a(name, args, {"value"});
        const Value x = a.get(0);
        int64_t n = 0;
        for (size_t i = 0; i < items.size(); ++i) {
            if (!equals(items[i], x)) continue;
            if (name == "index") return static_cast<int64_t>(i);
            ++n;
        }
        if (name == "index") throw EvalError(repr(x, 200) + " is not in list");
        return n;
    }
    ArgBinder("copy", args, {});
    return self;  // copy: values never change, so sharing is a faithful copy
}

Value call_dict_method(const std::string& name, const Value& self, const Arguments& args,
                       Budget& budget) {
    const DictObject& d = self.as_dict();
    budget.step(d.size());
    if (name == "get") {
        ArgBinder a("get", args, {"key", "default"});
        const Value key = a.get(0);
        const Value* found = key.is_string() ? d.find(key.as_string()) : nullptr;
        return found ? *found : a.get_or(1, nullptr);
    }
    ArgBinder(name, args, {});
    if (name == "copy") return self;
    std::vector<Value> out;
    out.reserve(d.size());
    for (const auto& [k, v] : d.entries) {
        if (name == "keys") {
            out.emplace_back(k);
        } else if (name == "values") {
            out.push_back(v);
        } else {
            out.push_back(Value::list({Value(k), v}, true));
        }
    }
    return Value::list(std::move(out));
}

bool is_unsafe_mutator(const Value& object, std::string_view n) {
    static constexpr std::string_view kList[] = {"append", "extend",  "insert", "pop",
                                                 "remove", "reverse", "sort",   "clear"};
    static constexpr std::string_view kDict[] = {"clear", "pop", "popitem", "setdefault", "update"};
    if (object.is_list())
        return std::find(std::begin(kList), std::end(kList), n) != std::end(kList);
    if (object.is_dict())
        return std::find(std::begin(kDict), std::end(kDict), n) != std::end(kDict);
    return false;
}

Value bind_method(const Value& self, const std::string& name, Budget& budget,
                  Value (*call)(const std::string&, const Value&, const Arguments&, Budget&)) {
    Budget* b = &budget;
    return make_function(
        name, [self, name, b, call](Arguments& args) { return call(name, self, args, *b); });
}

std::string object_label(const Value& v) {
    std::string label = "'";
    label += v.type_name();
    label += " object'";
    return label;
}

}  // namespace

Value get_attribute(const Value& object, const std::string& name, Budget& budget,
                    bool python_only) {
    if (object.is_undefined()) throw EvalError(object.as_undefined().hint);
    if (is_unsafe_mutator(object, name)) {
        return Value::undefined(
            "access to attribute '" + name + "' of '" + object.type_name() + "' object is unsafe",
            true);
    }
    if (object.is_string() && is_str_method(name)) {
        return bind_method(object, name, budget, call_str_method);
    }
    if (object.is_list() && (name == "index" || name == "count" || name == "copy")) {
        return bind_method(object, name, budget, call_list_method);
    }
    if (object.is_dict()) {
        const DictObject& d = object.as_dict();
        if (d.kind == DictObject::Kind::Dict &&
            (name == "items" || name == "keys" || name == "values" || name == "get" ||
             name == "copy")) {
            return bind_method(object, name, budget, call_dict_method);
        }
        const bool items_are_attributes = !python_only || d.kind != DictObject::Kind::Dict;
        if (const Value* v = d.find(name); v && items_are_attributes) return *v;
    }
    return Value::undefined(object_label(object) + " has no attribute '" + name + "'");
}

Value get_item(const Value& object, const Value& key, Budget& budget) {
    if (object.is_undefined()) throw EvalError(object.as_undefined().hint);
    const bool int_key = key.is_int() || key.is_bool();
    if (object.is_list() && int_key) {
        const auto& items = object.as_list().items;
        int64_t i = key.integer();
        if (i < 0) i += static_cast<int64_t>(items.size());
        if (i >= 0 && i < static_cast<int64_t>(items.size())) return items[static_cast<size_t>(i)];
        return Value::undefined(object_label(object) + " has no element " +
                                std::to_string(key.integer()));
    }
    if (object.is_string() && int_key) {
        const std::u32string cps = decode_utf8(object.as_string());
        int64_t i = key.integer();
        if (i < 0) i += static_cast<int64_t>(cps.size());
        if (i >= 0 && i < static_cast<int64_t>(cps.size())) {
            std::string ch;
            append_utf8(ch, cps[static_cast<size_t>(i)]);
            return ch;
        }
        return Value::undefined("'str object' has no element " + std::to_string(key.integer()));
    }
    if (object.is_dict() && object.as_dict().kind == DictObject::Kind::Dict && key.is_string()) {
        if (const Value* v = object.as_dict().find(key.as_string())) return *v;
    }
    if (key.is_string()) return get_attribute(object, key.as_string(), budget);
    return Value::undefined(object_label(object) + " has no element " + repr(key, 200));
}

}  // namespace qe::jinja
