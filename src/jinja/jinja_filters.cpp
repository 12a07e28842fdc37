// Jinja2's built-in filters that chat templates use, plus transformers' tojson. Filters that
// return generators in Jinja2 (map, select, items, ...) return lists here; they print
// differently only when printed without |list or |join, which no template does on purpose.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>

#include "jinja/jinja_builtins.h"
#include "jinja/jinja_text.h"

namespace qe::jinja {

namespace {

using Filter = Value (*)(const Value& operand, const Arguments& args, Budget& budget);

Value string_result(std::string s, Budget& budget) {
    budget.build(s.size());
    return s;
}

std::string as_text(const Value& v, Budget& budget) {
    budget.walk(v);
    return to_str(v, budget.limits().max_output_bytes);
}

// Resolves "a.b.0" on a value, as Jinja2's make_attrgetter does; `fallback` replaces an undefined.
Value lookup_path(const Value& v, const std::string& path, const Value& fallback, Budget& budget) {
    Value cur = v;
    size_t start = 0;
    while (true) {
        const size_t dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        int64_t index = 0;
        const auto res = std::from_chars(part.data(), part.data() + part.size(), index);
        const bool numeric =
            !part.empty() && res.ec == std::errc() && res.ptr == part.data() + part.size();
        cur = numeric ? get_item(cur, Value(index), budget) : get_item(cur, Value(part), budget);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (cur.is_undefined() && !fallback.is_undefined()) return fallback;
    return cur;
}

// Sort/unique/min/max key: strings lowered unless case-sensitive.
Value sort_key(const Value& v, bool case_sensitive) {
    if (!case_sensitive && v.is_string()) return to_lower(v.as_string());
    return v;
}

Value f_abs(const Value& v, const Arguments& args, Budget&) {
    ArgBinder("abs", args, {});
    if (v.is_int() || v.is_bool()) {
        if (v.integer() == INT64_MIN) throw EvalError("integer overflow");
        return v.integer() < 0 ? -v.integer() : v.integer();
    }
    if (v.is_float()) return std::fabs(v.number());
    throw EvalError("bad operand type for abs(): '" + v.type_name() + "'");
}

Value f_attr(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("attr", args, {"name"});
    const auto name = a.get_string(0);
    if (!name) throw EvalError("attr(): name must be a string");
    // Python's getattr only: unlike `.name`, a dict's items are not attributes.
    return get_attribute(v, *name, budget, /*python_only=*/true);
}

Value f_capitalize(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("capitalize", args, {});
    return capitalize(as_text(v, budget));
}

Value f_center(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("center", args, {"width"});
    const std::string s = as_text(v, budget);
    const int64_t width = a.get_int(0, 80);
    const auto len = static_cast<int64_t>(count_code_points(s));
    if (width <= len) return s;
    budget.build(static_cast<size_t>(width - len) + s.size());
    const int64_t margin = width - len;
    const int64_t left = margin / 2 + (margin & width & 1);
    return std::string(static_cast<size_t>(left), ' ') + s +
           std::string(static_cast<size_t>(margin - left), ' ');
}

Value f_default(const Value& v, const Arguments& args, Budget&) {
    ArgBinder a("default", args, {"default_value", "boolean"});
    if (v.is_undefined() || (a.get_bool(1, false) && !v.truthy())) return a.get_or(0, "");
    return v;
}

Value f_dictsort(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("dictsort", args, {"case_sensitive", "by", "reverse"});
    if (!v.is_dict() || v.as_dict().kind != DictObject::Kind::Dict) {
        throw EvalError("dictsort(): expected a dict, got " + v.type_name());
    }
    const bool case_sensitive = a.get_bool(0, false);
    const std::string by = a.get_string(1).value_or("key");
    if (by != "key" && by != "value") throw EvalError("dictsort(): 'by' must be 'key' or 'value'");
    const bool reverse = a.get_bool(2, false);
    budget.walk(v);
    std::vector<std::pair<Value, Value>> entries;  // key to sort by, (k, v) tuple
    for (const auto& [k, val] : v.as_dict().entries) {
        entries.emplace_back(sort_key(by == "key" ? Value(k) : val, case_sensitive),
                             Value::list({Value(k), val}, true));
    }
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& x, const auto& y) {
        return reverse ? less_than(y.first, x.first) : less_than(x.first, y.first);
    });
    std::vector<Value> out;
    for (auto& e : entries) out.push_back(std::move(e.second));
    return Value::list(std::move(out));
}

std::string html_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

Value f_escape(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("escape", args, {});
    return string_result(html_escape(as_text(v, budget)), budget);
}

Value f_first(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("first", args, {});
    const std::vector<Value> items = iterate(v, budget);
    if (items.empty()) return Value::undefined("No first item, sequence was empty.");
    return items.front();
}

Value f_last(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("last", args, {});
    if (v.is_undefined()) throw EvalError(v.as_undefined().hint);
    const std::vector<Value> items = iterate(v, budget);
    if (items.empty()) return Value::undefined("No last item, sequence was empty.");
    return items.back();
}

std::optional<double> parse_float(const std::string& text) {
    const std::string t = strip(text, std::nullopt, true, true);
    std::string clean;
    for (char c : t) {
        if (c != '_') clean += c;
    }
    std::string lower = to_lower(clean);
    if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity")
        return HUGE_VAL;
    if (lower == "-inf" || lower == "-infinity") return -HUGE_VAL;
    if (lower == "nan" || lower == "+nan" || lower == "-nan") return std::nan("");
    const char* begin = clean.c_str();
    if (*begin == '+') ++begin;
    double d = 0.0;
    const auto res = std::from_chars(begin, clean.c_str() + clean.size(), d);
    if (clean.empty() || res.ptr != clean.c_str() + clean.size()) return std::nullopt;
    if (res.ec == std::errc::result_out_of_range) return std::strtod(clean.c_str(), nullptr);
    if (res.ec != std::errc()) return std::nullopt;
    return d;
}

Value f_float(const Value& v, const Arguments& args, Budget&) {
    ArgBinder a("float", args, {"default"});
    if (v.is_number()) return v.number();
    if (v.is_string()) {
        if (auto d = parse_float(v.as_string())) return *d;
    }
    return a.get_or(0, 0.0);
}

Value f_format(const Value& v, const Arguments& args, Budget& budget) {
    if (!args.named.empty()) throw EvalError("format(): keyword arguments are not supported");
    return string_result(
        percent_format(as_text(v, budget), Value::list(args.positional, true), budget), budget);
}

Value f_indent(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("indent", args, {"width", "first", "blank"});
    const Value width = a.get_or(0, 4);
    std::string indention;
    if (width.is_string()) {
        indention = width.as_string();
    } else {
        const int64_t n = a.get_int(0, 4);
        budget.build(static_cast<size_t>(std::max<int64_t>(n, 0)));
        indention.assign(static_cast<size_t>(std::max<int64_t>(n, 0)), ' ');
    }
    const std::string s = as_text(v, budget) + "\n";
    std::vector<std::string> lines = split_lines(s);
    budget.build(s.size() + lines.size() * indention.size());
    std::string out;
    if (a.get_bool(2, false)) {
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i) out += "\n" + indention;
            out += lines[i];
        }
    } else {
        out = lines.empty() ? "" : lines[0];
        for (size_t i = 1; i < lines.size(); ++i) {
            out += "\n";
            if (!lines[i].empty()) out += indention;
            out += lines[i];
        }
    }
    if (a.get_bool(1, false)) out = indention + out;
    return out;
}

// Python's int(str, base) for bases 2..36 and 0, with underscores and surrounding whitespace.
std::optional<int64_t> parse_int(const std::string& text, int base) {
    std::string t = strip(text, std::nullopt, true, true);
    bool negative = false;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
        negative = t[0] == '-';
        t.erase(0, 1);
    }
    const std::string lower = to_lower(t);
    auto has_prefix = [&](const char* p) { return lower.rfind(p, 0) == 0; };
    if ((base == 16 || base == 0) && has_prefix("0x"))
        base = 16, t.erase(0, 2);
    else if ((base == 8 || base == 0) && has_prefix("0o"))
        base = 8, t.erase(0, 2);
    else if ((base == 2 || base == 0) && has_prefix("0b"))
        base = 2, t.erase(0, 2);
    if (base == 0) base = 10;
    std::string digits;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '_' && i > 0 && i + 1 < t.size() && t[i + 1] != '_') continue;
        digits += t[i];
    }
    if (digits.empty()) return std::nullopt;
    uint64_t magnitude = 0;
    const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (res.ec != std::errc() || res.ptr != digits.data() + digits.size()) return std::nullopt;
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + (negative ? 1 : 0)) return std::nullopt;
    return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

Value f_int(const Value& v, const Arguments& args, Budget&) {
    ArgBinder a("int", args, {"default", "base"});
    const int64_t base = a.get_int(1, 10);
    if (base != 0 && (base < 2 || base > 36))
        throw EvalError("int() base must be >= 2 and <= 36, or 0");
    if (v.is_int() || v.is_bool()) return v.integer();
    if (v.is_float()) {
        const double d = v.number();
        if (std::isfinite(d) && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
        return a.get_or(0, 0);
    }
    if (v.is_string()) {
        if (auto i = parse_int(v.as_string(), static_cast<int>(base))) return *i;
        // Jinja2's quirk: "42.23"|int is 42.
        if (auto d = parse_float(v.as_string()); d && std::isfinite(*d) && std::fabs(*d) < 9.2e18) {
            return static_cast<int64_t>(*d);
        }
    }
    return a.get_or(0, 0);
}

Value f_items(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("items", args, {});
    if (v.is_undefined()) return Value::list({});
    if (!v.is_dict() || v.as_dict().kind != DictObject::Kind::Dict) {
        throw EvalError("Can only get item pairs from a mapping.");
    }
    budget.step(v.as_dict().size());
    std::vector<Value> out;
    for (const auto& [k, val] : v.as_dict().entries)
        out.push_back(Value::list({Value(k), val}, true));
    return Value::list(std::move(out));
}

Value f_join(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("join", args, {"d", "attribute"});
    const std::string sep = a.has(0) ? as_text(a.get(0), budget) : "";
    const auto attribute = a.get_string(1);
    std::string out;
    bool first = true;
    for (const Value& item : iterate(v, budget)) {
        if (!first) out += sep;
        first = false;
        out += as_text(attribute ? lookup_path(item, *attribute, Value(), budget) : item, budget);
        budget.check_size(out.size());
    }
    budget.build(out.size());
    return out;
}

Value f_length(const Value& v, const Arguments& args, Budget&) {
    ArgBinder("length", args, {});
    if (v.is_undefined()) return 0;
    if (v.is_string()) return static_cast<int64_t>(count_code_points(v.as_string()));
    if (v.is_list()) return static_cast<int64_t>(v.as_list().items.size());
    if (v.is_dict() && v.as_dict().kind == DictObject::Kind::Dict) {
        return static_cast<int64_t>(v.as_dict().size());
    }
    throw EvalError("object of type '" + v.type_name() + "' has no len()");
}

Value f_list(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("list", args, {});
    if (v.is_list() && !v.is_tuple()) return v;
    return Value::list(iterate(v, budget));
}

Value f_lower(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("lower", args, {});
    return to_lower(as_text(v, budget));
}

Value f_upper(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("upper", args, {});
    return to_upper(as_text(v, budget));
}

Value f_map(const Value& v, const Arguments& args, Budget& budget) {
    std::vector<Value> out;
    const std::vector<Value> items = iterate(v, budget);
    if (args.positional.empty()) {
        ArgBinder a("map", args, {"attribute", "default"});
        const auto attribute = a.get_string(0);
        if (!attribute) throw EvalError("map(): give a filter name or attribute=");
        for (const Value& item : items)
            out.push_back(lookup_path(item, *attribute, a.get(1), budget));
        return Value::list(std::move(out));
    }
    if (!args.positional[0].is_string()) throw EvalError("map(): the filter name must be a string");
    const std::string name = args.positional[0].as_string();
    Arguments rest;
    rest.positional.assign(args.positional.begin() + 1, args.positional.end());
    rest.named = args.named;
    for (const Value& item : items) out.push_back(apply_filter(name, item, rest, budget));
    return Value::list(std::move(out));
}

Value min_max(const Value& v, const Arguments& args, Budget& budget, bool want_max) {
    ArgBinder a(want_max ? "max" : "min", args, {"case_sensitive", "attribute"});
    const bool case_sensitive = a.get_bool(0, false);
    const auto attribute = a.get_string(1);
    budget.walk(v);
    const std::vector<Value> items = iterate(v, budget);
    if (items.empty()) {
        return Value::undefined(std::string("No aggregated item, sequence was empty."));
    }
    const Value* best = &items[0];
    Value best_key;
    auto key_of = [&](const Value& item) {
        return sort_key(attribute ? lookup_path(item, *attribute, Value(), budget) : item,
                        case_sensitive);
    };
    best_key = key_of(*best);
    for (size_t i = 1; i < items.size(); ++i) {
        Value k = key_of(items[i]);
        if (want_max ? less_than(best_key, k) : less_than(k, best_key)) {
            best = &items[i];
            best_key = std::move(k);
        }
    }
    return *best;
}

Value f_max(const Value& v, const Arguments& args, Budget& b) {
    return min_max(v, args, b, true);
}
Value f_min(const Value& v, const Arguments& args, Budget& b) {
    return min_max(v, args, b, false);
}

Value f_replace(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("replace", args, {"old", "new", "count"});
    Arguments method_args;
    method_args.positional = {Value(as_text(a.get(0), budget)), Value(as_text(a.get(1), budget))};
    if (a.has(2) && !a.get(2).is_none()) method_args.positional.push_back(a.get(2));
    const Value method = get_attribute(Value(as_text(v, budget)), "replace", budget);
    return method.as_function().call(method_args);
}

Value f_reverse(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("reverse", args, {});
    if (v.is_string()) {
        std::u32string cps = decode_utf8(v.as_string());
        std::reverse(cps.begin(), cps.end());
        return encode_utf8(cps);
    }
    std::vector<Value> items = iterate(v, budget);
    std::reverse(items.begin(), items.end());
    return Value::list(std::move(items));
}

Value f_round(const Value& v, const Arguments& args, Budget&) {
    ArgBinder a("round", args, {"precision", "method"});
    const int64_t precision = a.get_int(0, 0);
    const std::string method = a.get_string(1).value_or("common");
    if (method != "common" && method != "ceil" && method != "floor") {
        throw EvalError("method must be common, ceil or floor");
    }
    if (!v.is_number()) throw EvalError("round(): a number is required, not " + v.type_name());
    const bool integral = v.is_int() || v.is_bool();
    if (method == "common" && integral && precision >= 0) return v.integer();
    const double scale =
        std::pow(10.0, static_cast<double>(std::clamp<int64_t>(precision, -308, 308)));
    const double x = v.number() * scale;
    // nearbyint rounds half to even, as Python's round() does.
    const double r = method == "ceil"    ? std::ceil(x)
                     : method == "floor" ? std::floor(x)
                                         : std::nearbyint(x);
    if (method == "common" && integral) return static_cast<int64_t>(r / scale);
    return r / scale;
}

// select / reject / selectattr / rejectattr share this: keep items whose test result is `keep`.
Value filter_items(const Value& v, const Arguments& args, Budget& budget, bool keep,
                   bool by_attribute) {
    const char* name =
        by_attribute ? (keep ? "selectattr" : "rejectattr") : (keep ? "select" : "reject");
    if (!args.named.empty())
        throw EvalError(std::string(name) + "(): keyword arguments are not supported");
    size_t next = 0;
    std::optional<std::string> attribute;
    if (by_attribute) {
        if (args.positional.empty() || !args.positional[0].is_string()) {
            throw EvalError(std::string(name) + "(): the attribute name must be a string");
        }
        attribute = args.positional[next++].as_string();
    }
    std::optional<std::string> test;
    if (next < args.positional.size()) {
        if (!args.positional[next].is_string())
            throw EvalError(std::string(name) + "(): the test name must be a string");
        test = args.positional[next++].as_string();
    }
    Arguments test_args;
    test_args.positional.assign(args.positional.begin() + static_cast<long>(next),
                                args.positional.end());
    std::vector<Value> out;
    for (const Value& item : iterate(v, budget)) {
        const Value subject = attribute ? lookup_path(item, *attribute, Value(), budget) : item;
        const bool passed = test ? apply_test(*test, subject, test_args) : subject.truthy();
        if (passed == keep) out.push_back(item);
    }
    return Value::list(std::move(out));
}

Value f_select(const Value& v, const Arguments& a, Budget& b) {
    return filter_items(v, a, b, true, false);
}
Value f_reject(const Value& v, const Arguments& a, Budget& b) {
    return filter_items(v, a, b, false, false);
}
Value f_selectattr(const Value& v, const Arguments& a, Budget& b) {
    return filter_items(v, a, b, true, true);
}
Value f_rejectattr(const Value& v, const Arguments& a, Budget& b) {
    return filter_items(v, a, b, false, true);
}

Value f_safe(const Value& v, const Arguments& args, Budget&) {
    ArgBinder("safe", args, {});
    return v;
}

Value f_sort(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("sort", args, {"reverse", "case_sensitive", "attribute"});
    const bool reverse = a.get_bool(0, false);
    const bool case_sensitive = a.get_bool(1, false);
    const auto attribute = a.get_string(2);
    budget.walk(v);
    std::vector<std::pair<Value, Value>> keyed;
    for (const Value& item : iterate(v, budget)) {
        keyed.emplace_back(
            sort_key(attribute ? lookup_path(item, *attribute, Value(), budget) : item,
                     case_sensitive),
            item);
    }
    budget.step(keyed.size() * 20);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
        return reverse ? less_than(y.first, x.first) : less_than(x.first, y.first);
    });
    std::vector<Value> out;
    for (auto& k : keyed) out.push_back(std::move(k.second));
    return Value::list(std::move(out));
}

Value f_string(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("string", args, {});
    return as_text(v, budget);
}

Value f_sum(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("sum", args, {"attribute", "start"});
    const auto attribute = a.get_string(0);
    Value total = a.get_or(1, 0);
    for (const Value& item : iterate(v, budget)) {
        total =
            binary_op(BinaryOp::Add, total,
                      attribute ? lookup_path(item, *attribute, Value(), budget) : item, budget);
    }
    return total;
}

Value f_title(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("title", args, {});
    // Jinja2's own title: words start after '-', whitespace or an opening bracket.
    const std::u32string cps = decode_utf8(as_text(v, budget));
    std::string out;
    bool at_word_start = true;
    for (char32_t c : cps) {
        const bool separator =
            c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_space(c);
        std::string ch;
        append_utf8(ch, c);
        if (separator) {
            out += ch;
        } else {
            out += at_word_start ? to_upper(ch) : to_lower(ch);
        }
        at_word_start = separator;
    }
    return out;
}

Value f_tojson(const Value& v, const Arguments& args, Budget& budget) {
    // transformers: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
    ArgBinder a("tojson", args, {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonStyle style;
    style.ensure_ascii = a.get_bool(0, false);
    const Value indent = a.get_or(1, nullptr);
    if (indent.is_string()) {
        style.indent = indent.as_string();
    } else if (indent.is_int() || indent.is_bool()) {
        const int64_t n = std::max<int64_t>(indent.integer(), 0);
        budget.build(static_cast<size_t>(n));
        style.indent = std::string(static_cast<size_t>(n), ' ');
    } else if (!indent.is_none()) {
        throw EvalError("tojson(): indent must be an int or a string");
    }
    if (style.indent) style.item_separator = ",";
    const Value separators = a.get_or(2, nullptr);
    if (!separators.is_none()) {
        if (!separators.is_list() || separators.as_list().items.size() != 2 ||
            !separators.as_list().items[0].is_string() ||
            !separators.as_list().items[1].is_string()) {
            throw EvalError("tojson(): separators must be a pair of strings");
        }
        style.item_separator = separators.as_list().items[0].as_string();
        style.key_separator = separators.as_list().items[1].as_string();
    }
    style.sort_keys = a.get_bool(3, false);
    budget.walk(v);
    return string_result(to_json(v, style, budget.limits().max_output_bytes), budget);
}

Value f_trim(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("trim", args, {"chars"});
    return strip(as_text(v, budget), a.get_string(0), true, true);
}

Value f_truncate(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("truncate", args, {"length", "killwords", "end", "leeway"});
    const std::u32string s = decode_utf8(as_text(v, budget));
    const int64_t length = a.get_int(0, 255);
    const bool killwords = a.get_bool(1, false);
    const std::u32string end = decode_utf8(a.get_string(2).value_or("..."));
    const int64_t leeway = a.get_int(3, 5);
    if (length < static_cast<int64_t>(end.size())) throw EvalError("expected length >= len(end)");
    if (leeway < 0) throw EvalError("expected leeway >= 0");
    if (static_cast<int64_t>(s.size()) <= length + leeway) return encode_utf8(s);
    std::u32string cut = s.substr(0, static_cast<size_t>(length) - end.size());
    if (!killwords) {
        const size_t space = cut.rfind(U' ');
        if (space != std::u32string::npos) cut = cut.substr(0, space);
    }
    return encode_utf8(cut + end);
}

Value f_unique(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder a("unique", args, {"case_sensitive", "attribute"});
    const bool case_sensitive = a.get_bool(0, false);
    const auto attribute = a.get_string(1);
    budget.walk(v);
    std::vector<Value> seen, out;
    for (const Value& item : iterate(v, budget)) {
        Value key = sort_key(attribute ? lookup_path(item, *attribute, Value(), budget) : item,
                             case_sensitive);
        budget.step(seen.size());
        if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, key); }))
            continue;
        seen.push_back(std::move(key));
        out.push_back(item);
    }
    return Value::list(std::move(out));
}

Value f_wordcount(const Value& v, const Arguments& args, Budget& budget) {
    ArgBinder("wordcount", args, {});
    return static_cast<int64_t>(split(as_text(v, budget), std::nullopt, -1, false).size());
}

struct FilterEntry {
    std::string_view name;
    Filter fn;
};

constexpr FilterEntry kFilters[] = {
    {"abs", f_abs},
    {"attr", f_attr},
    {"capitalize", f_capitalize},
    {"center", f_center},
    {"count", f_length},
    {"d", f_default},
    {"default", f_default},
    {"dictsort", f_dictsort},
    {"e", f_escape},
    {"escape", f_escape},
    {"first", f_first},
    {"float", f_float},
    {"forceescape", f_escape},
    {"format", f_format},
    {"indent", f_indent},
    {"int", f_int},
    {"items", f_items},
    {"join", f_join},
    {"last", f_last},
    {"length", f_length},
    {"list", f_list},
    {"lower", f_lower},
    {"map", f_map},
    {"max", f_max},
    {"min", f_min},
    {"reject", f_reject},
    {"rejectattr", f_rejectattr},
    {"replace", f_replace},
    {"reverse", f_reverse},
    {"round", f_round},
    {"safe", f_safe},
    {"select", f_select},
    {"selectattr", f_selectattr},
    {"sort", f_sort},
    {"string", f_string},
    {"sum", f_sum},
    {"title", f_title},
    {"tojson", f_tojson},
    {"trim", f_trim},
    {"truncate", f_truncate},
    {"unique", f_unique},
    {"upper", f_upper},
    {"wordcount", f_wordcount},
};

const FilterEntry* find_filter(std::string_view name) {
    for (const auto& f : kFilters) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

}  // namespace

bool has_filter(std::string_view name) {
    return find_filter(name) != nullptr;
}

Value apply_filter(std::string_view name, const Value& operand, const Arguments& args,
                   Budget& budget) {
    const FilterEntry* f = find_filter(name);
    if (!f) throw EvalError("no filter named '" + std::string(name) + "'");
    budget.step();
    return f->fn(operand, args, budget);
}

}  // namespace qe::jinja
