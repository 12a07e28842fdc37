// Operators with Python's semantics (int/float promotion, floor division and modulo signs,
// sequence concatenation and repetition, printf-style %), slicing, iteration and argument binding.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "jinja/jinja_builtins.h"
#include "jinja/jinja_text.h"

namespace qe::jinja {

namespace {

[[noreturn]] void unsupported(const char* op, const Value& a, const Value& b) {
    if (a.is_undefined()) throw EvalError(a.as_undefined().hint);
    if (b.is_undefined()) throw EvalError(b.as_undefined().hint);
    throw EvalError(std::string("unsupported operand type(s) for ") + op + ": '" + a.type_name() +
                    "' and '" + b.type_name() + "'");
}

[[noreturn]] void overflow() {
    throw EvalError("integer overflow (this engine's integers are 64-bit)");
}

bool is_integral(const Value& v) {
    return v.is_int() || v.is_bool();
}

int64_t checked_add(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) overflow();
    return r;
}
int64_t checked_sub(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) overflow();
    return r;
}
int64_t checked_mul(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) overflow();
    return r;
}

// CPython's float divmod: the quotient floored, the remainder with the divisor's sign.
std::pair<double, double> float_divmod(double x, double y) {
    if (y == 0.0) throw EvalError("float division by zero");
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0) {
        if ((y < 0) != (mod < 0)) {
            mod += y;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, y);
    }
    double floordiv = 0.0;
    if (div != 0.0) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
        floordiv = std::copysign(0.0, x / y);
    }
    return {floordiv, mod};
}

std::pair<int64_t, int64_t> int_divmod(int64_t x, int64_t y) {
    if (y == 0) throw EvalError("integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) overflow();
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) {
        r += y;
        q -= 1;
    }
    return {q, r};
}

Value repeat(const Value& seq, int64_t times, Budget& budget) {
    const int64_t n = std::max<int64_t>(times, 0);
    if (seq.is_string()) {
        const std::string& s = seq.as_string();
        if (n > 0 && s.size() > budget.limits().max_output_bytes / static_cast<uint64_t>(n)) {
            budget.build(SIZE_MAX);
        }
        budget.build(s.size() * static_cast<size_t>(n));
        std::string out;
        out.reserve(s.size() * static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) out += s;
        return out;
    }
    const auto& items = seq.as_list().items;
    if (n > 0 && items.size() > budget.limits().max_output_bytes / static_cast<uint64_t>(n)) {
        budget.build(SIZE_MAX);
    }
    budget.build(items.size() * static_cast<size_t>(n));
    std::vector<Value> out;
    out.reserve(items.size() * static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
    return Value::list(std::move(out), seq.is_tuple());
}

Value power(const Value& a, const Value& b) {
    if (is_integral(a) && is_integral(b) && b.integer() >= 0) {
        int64_t base = a.integer(), exp = b.integer(), result = 1;
        while (exp > 0) {
            if (exp & 1) result = checked_mul(result, base);
            exp >>= 1;
            if (exp > 0) base = checked_mul(base, base);
        }
        return result;
    }
    const double x = a.number(), y = b.number();
    if (x == 0.0 && y < 0) throw EvalError("0.0 cannot be raised to a negative power");
    if (x < 0 && y != std::floor(y))
        throw EvalError("negative number raised to a fractional power");
    return std::pow(x, y);
}

// Python's slice.indices(): clamps start/stop for a sequence of `len` items.
struct SliceRange {
    int64_t start, stop, step;
};
SliceRange resolve_slice(const Value& start, const Value& stop, const Value& step, int64_t len) {
    auto as_index = [](const Value& v, const char* what) -> std::optional<int64_t> {
        if (v.is_undefined() || v.is_none()) return std::nullopt;
        if (!is_integral(v)) {
            throw EvalError(std::string("slice ") + what + " must be an integer or None");
        }
        return v.integer();
    };
    const int64_t st = as_index(step, "step").value_or(1);
    if (st == 0) throw EvalError("slice step cannot be zero");
    auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
        if (!v) return fallback;
        int64_t i = *v;
        if (i < 0) {
            i += len;
            if (i < 0) i = st < 0 ? -1 : 0;
        } else if (i >= len) {
            i = st < 0 ? len - 1 : len;
        }
        return i;
    };
    const int64_t b = clamp(as_index(start, "start"), st < 0 ? len - 1 : 0);
    const int64_t e = clamp(as_index(stop, "stop"), st < 0 ? -1 : len);
    return {b, e, st};
}

template <typename Seq>
Seq take_slice(const Seq& seq, const SliceRange& r) {
    Seq out;
    if (r.step > 0) {
        for (int64_t i = r.start; i < r.stop; i += r.step)
            out.push_back(seq[static_cast<size_t>(i)]);
    } else {
        for (int64_t i = r.start; i > r.stop; i += r.step)
            out.push_back(seq[static_cast<size_t>(i)]);
    }
    return out;
}

// One %-conversion: flags, width, precision and type, as in Python's printf-style formatting.
struct FormatSpec {
    std::string flags;
    int width = -1;
    int precision = -1;
    char type = 's';
};

std::string pad(std::string text, const FormatSpec& spec, Budget& budget) {
    const size_t len = count_code_points(text);
    if (spec.width < 0 || len >= static_cast<size_t>(spec.width)) return text;
    const size_t fill = static_cast<size_t>(spec.width) - len;
    budget.build(text.size() + fill);
    if (spec.flags.find('-') != std::string::npos) return text + std::string(fill, ' ');
    return std::string(fill, ' ') + text;
}

std::string format_one(const FormatSpec& spec, const Value& v, Budget& budget) {
    if (v.is_undefined()) throw EvalError(v.as_undefined().hint);
    std::string text;
    switch (spec.type) {
        case 's':
        case 'r':
        case 'a': {
            budget.walk(v);
            text = spec.type == 's' ? to_str(v, budget.limits().max_output_bytes)
                                    : repr(v, budget.limits().max_output_bytes);
            if (spec.precision >= 0) {
                const std::u32string cps = decode_utf8(text);
                text = encode_utf8(std::u32string_view(cps).substr(
                    0, std::min<size_t>(cps.size(), static_cast<size_t>(spec.precision))));
            }
            return pad(std::move(text), spec, budget);
        }
        case 'c': {
            if (v.is_string() && count_code_points(v.as_string()) == 1) {
                return pad(v.as_string(), spec, budget);
            }
            if (!is_integral(v) || v.integer() < 0 || v.integer() > 0x10FFFF) {
                throw EvalError("%c requires an int or a single character");
            }
            append_utf8(text, static_cast<char32_t>(v.integer()));
            return pad(std::move(text), spec, budget);
        }
        default:
            break;
    }
    if (!v.is_number()) {
        throw EvalError(std::string("%") + spec.type + " format: a real number is required, not " +
                        v.type_name());
    }
    budget.build(static_cast<size_t>(std::max(spec.width, 0)) +
                 static_cast<size_t>(std::max(spec.precision, 0)));
    std::string fmt = "%" + spec.flags;
    if (spec.width >= 0) fmt += std::to_string(spec.width);
    if (spec.precision >= 0) fmt += "." + std::to_string(spec.precision);
    std::vector<char> buf(
        static_cast<size_t>(std::max(spec.width, 0) + std::max(spec.precision, 0)) + 400);
    switch (spec.type) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            if (v.is_float() && !std::isfinite(v.number())) {
                throw EvalError("cannot convert float infinity or NaN to integer");
            }
            const double d = v.number();
            if (v.is_float() && (d >= 9.2e18 || d <= -9.2e18)) overflow();
            const long long i = v.is_float() ? static_cast<long long>(d) : v.integer();
            const char t = spec.type == 'i' || spec.type == 'u' ? 'd' : spec.type;
            if (t == 'd') {
                fmt += "lld";
                std::snprintf(buf.data(), buf.size(), fmt.c_str(), i);
            } else {
                // Python prints the sign of negative hex/octal separately from the digits.
                fmt += std::string("ll") + t;
                std::snprintf(buf.data(), buf.size(), fmt.c_str(),
                              static_cast<unsigned long long>(i < 0 ? -i : i));
                text = buf.data();
                return i < 0 ? "-" + text : text;
            }
            return buf.data();
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
            fmt += spec.type;
            std::snprintf(buf.data(), buf.size(), fmt.c_str(), v.number());
            return buf.data();
        default:
            throw EvalError(std::string("unsupported format character '") + spec.type + "'");
    }
}

}  // namespace

ArgBinder::ArgBinder(std::string_view callee, const Arguments& args,
                     std::initializer_list<std::string_view> params)
    : callee_(callee), params_(params), values_(params.size(), nullptr) {
    if (args.positional.size() > params_.size()) {
        throw EvalError(callee_ + "() takes at most " + std::to_string(params_.size()) +
                        " positional argument(s), " + std::to_string(args.positional.size()) +
                        " given");
    }
    for (size_t i = 0; i < args.positional.size(); ++i) values_[i] = &args.positional[i];
    for (const auto& [name, value] : args.named) {
        const auto it = std::find(params_.begin(), params_.end(), name);
        if (it == params_.end()) {
            throw EvalError(callee_ + "() got an unexpected keyword argument '" + name + "'");
        }
        const auto i = static_cast<size_t>(it - params_.begin());
        if (values_[i]) {
            throw EvalError(callee_ + "() got multiple values for argument '" + name + "'");
        }
        values_[i] = &value;
    }
}

Value ArgBinder::get(size_t i) const {
    return values_[i] ? *values_[i] : Value();
}

Value ArgBinder::get_or(size_t i, Value fallback) const {
    return values_[i] ? *values_[i] : std::move(fallback);
}

int64_t ArgBinder::get_int(size_t i, int64_t fallback) const {
    if (!values_[i]) return fallback;
    if (!is_integral(*values_[i])) {
        throw EvalError(callee_ + "(): argument '" + std::string(params_[i]) +
                        "' must be an integer, not " + values_[i]->type_name());
    }
    return values_[i]->integer();
}

bool ArgBinder::get_bool(size_t i, bool fallback) const {
    return values_[i] ? values_[i]->truthy() : fallback;
}

std::optional<std::string> ArgBinder::get_string(size_t i) const {
    if (!values_[i] || values_[i]->is_none()) return std::nullopt;
    if (!values_[i]->is_string()) {
        throw EvalError(callee_ + "(): argument '" + std::string(params_[i]) +
                        "' must be a string, not " + values_[i]->type_name());
    }
    return values_[i]->as_string();
}

std::vector<Value> iterate(const Value& v, Budget& budget) {
    if (v.is_undefined()) return {};
    if (v.is_list()) {
        budget.step(v.as_list().items.size());
        return v.as_list().items;
    }
    std::vector<Value> out;
    if (v.is_string()) {
        const std::u32string cps = decode_utf8(v.as_string());
        budget.step(cps.size());
        out.reserve(cps.size());
        for (char32_t cp : cps) {
            std::string ch;
            append_utf8(ch, cp);
            out.emplace_back(std::move(ch));
        }
        return out;
    }
    if (v.is_dict() && v.as_dict().kind == DictObject::Kind::Dict) {
        budget.step(v.as_dict().size());
        for (const auto& entry : v.as_dict().entries) out.emplace_back(entry.first);
        return out;
    }
    throw EvalError("'" + v.type_name() + "' object is not iterable");
}

Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step,
                Budget& budget) {
    if (object.is_undefined()) throw EvalError(object.as_undefined().hint);
    if (object.is_list()) {
        const auto& items = object.as_list().items;
        const SliceRange r = resolve_slice(start, stop, step, static_cast<int64_t>(items.size()));
        budget.step(items.size());
        return Value::list(take_slice(items, r), object.is_tuple());
    }
    if (object.is_string()) {
        const std::u32string cps = decode_utf8(object.as_string());
        const SliceRange r = resolve_slice(start, stop, step, static_cast<int64_t>(cps.size()));
        budget.step(cps.size());
        return encode_utf8(take_slice(cps, r));
    }
    return Value::undefined("'" + object.type_name() + "' object is not subscriptable");
}

Value binary_op(BinaryOp op, const Value& a, const Value& b, Budget& budget) {
    const bool numbers = a.is_number() && b.is_number();
    const bool ints = is_integral(a) && is_integral(b);
    switch (op) {
        case BinaryOp::Add:
            if (ints) return checked_add(a.integer(), b.integer());
            if (numbers) return a.number() + b.number();
            if (a.is_string() && b.is_string()) {
                budget.build(a.as_string().size() + b.as_string().size());
                return a.as_string() + b.as_string();
            }
            if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
                const auto& x = a.as_list().items;
                const auto& y = b.as_list().items;
                budget.build(x.size() + y.size());
                std::vector<Value> out;
                out.reserve(x.size() + y.size());
                out.insert(out.end(), x.begin(), x.end());
                out.insert(out.end(), y.begin(), y.end());
                return Value::list(std::move(out), a.is_tuple());
            }
            if (a.is_string() && !b.is_undefined()) {
                throw EvalError("can only concatenate str (not \"" + b.type_name() + "\") to str");
            }
            unsupported("+", a, b);
        case BinaryOp::Sub:
            if (ints) return checked_sub(a.integer(), b.integer());
            if (numbers) return a.number() - b.number();
            unsupported("-", a, b);
        case BinaryOp::Mul:
            if (ints) return checked_mul(a.integer(), b.integer());
            if (numbers) return a.number() * b.number();
            if ((a.is_string() || a.is_list()) && is_integral(b))
                return repeat(a, b.integer(), budget);
            if (is_integral(a) && (b.is_string() || b.is_list()))
                return repeat(b, a.integer(), budget);
            unsupported("*", a, b);
        case BinaryOp::Div:
            if (numbers) {
                if (b.number() == 0.0) throw EvalError("division by zero");
                return a.number() / b.number();
            }
            unsupported("/", a, b);
        case BinaryOp::FloorDiv:
            if (ints) return int_divmod(a.integer(), b.integer()).first;
            if (numbers) return float_divmod(a.number(), b.number()).first;
            unsupported("//", a, b);
        case BinaryOp::Mod:
            if (ints) return int_divmod(a.integer(), b.integer()).second;
            if (numbers) return float_divmod(a.number(), b.number()).second;
            if (a.is_string() && !b.is_undefined()) return percent_format(a.as_string(), b, budget);
            unsupported("%", a, b);
        case BinaryOp::Pow:
            if (numbers) return power(a, b);
            unsupported("** or pow()", a, b);
    }
    unsupported("?", a, b);
}

Value negate(const Value& v, bool plus) {
    if (v.is_undefined()) throw EvalError(v.as_undefined().hint);
    if (is_integral(v)) {
        if (plus) return v.integer();
        if (v.integer() == INT64_MIN) overflow();
        return -v.integer();
    }
    if (v.is_float()) return plus ? v.number() : -v.number();
    throw EvalError(std::string("bad operand type for unary ") + (plus ? "+" : "-") + ": '" +
                    v.type_name() + "'");
}

std::string percent_format(const std::string& format, const Value& args, Budget& budget) {
    std::vector<Value> values;
    if (args.is_tuple()) {
        values = args.as_list().items;
    } else {
        values.push_back(args);
    }
    size_t next = 0;
    std::string out;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        if (++i >= format.size()) throw EvalError("incomplete format");
        if (format[i] == '%') {
            out += '%';
            continue;
        }
        if (format[i] == '(') throw EvalError("%(name) formats are not supported");
        FormatSpec spec;
        while (i < format.size() &&
               std::string_view("-+ 0#").find(format[i]) != std::string_view::npos) {
            spec.flags += format[i++];
        }
        auto read_number = [&]() {
            int n = 0;
            while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
                n = n * 10 + (format[i++] - '0');
                if (n > 100'000'000) throw EvalError("format width or precision too big");
            }
            return n;
        };
        if (i < format.size() && format[i] >= '0' && format[i] <= '9') spec.width = read_number();
        if (i < format.size() && format[i] == '.') {
            ++i;
            spec.precision = read_number();
        }
        if (i >= format.size()) throw EvalError("incomplete format");
        spec.type = format[i];
        if (next >= values.size()) throw EvalError("not enough arguments for format string");
        out += format_one(spec, values[next++], budget);
        budget.check_size(out.size());
    }
    if (next < values.size()) {
        throw EvalError("not all arguments converted during string formatting");
    }
    budget.build(out.size());
    return out;
}

}  // namespace qe::jinja
