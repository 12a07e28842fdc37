// Globals a chat template can call: Jinja2's range, namespace and dict, and transformers'
// raise_exception and strftime_now.
#include <ctime>

#include "jinja/jinja_builtins.h"

namespace qe::jinja {

namespace {

// Jinja2's sandbox refuses ranges longer than this.
constexpr int64_t kMaxRange = 100000;

Value range(Arguments& args, Budget& budget) {
    if (!args.named.empty()) throw EvalError("range() takes no keyword arguments");
    const auto& p = args.positional;
    if (p.empty() || p.size() > 3) throw EvalError("range expected 1 to 3 arguments");
    for (const auto& v : p) {
        if (!v.is_int() && !v.is_bool()) {
            throw EvalError("'" + v.type_name() + "' object cannot be interpreted as an integer");
        }
    }
    const int64_t start = p.size() == 1 ? 0 : p[0].integer();
    const int64_t stop = p.size() == 1 ? p[0].integer() : p[1].integer();
    const int64_t step = p.size() == 3 ? p[2].integer() : 1;
    if (step == 0) throw EvalError("range() arg 3 must not be zero");
    // Count without overflow: the values themselves stay in [start, stop).
    const long double span = static_cast<long double>(stop) - static_cast<long double>(start);
    const long double count = span / static_cast<long double>(step);
    if (count > static_cast<long double>(kMaxRange)) {
        throw EvalError("range too big: the sandbox allows at most 100000 items");
    }
    std::vector<Value> out;
    if (count > 0) {
        budget.build(static_cast<size_t>(count));
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.emplace_back(i);
            if (step > 0 ? i > INT64_MAX - step : i < INT64_MIN - step) break;
        }
    }
    return Value::list(std::move(out));
}

// dict(mapping, **kwargs) / namespace(mapping, **kwargs).
Value build_mapping(const char* name, Arguments& args, DictObject::Kind kind) {
    auto d = make_dict(kind);
    if (args.positional.size() > 1) {
        throw EvalError(std::string(name) + "() takes at most 1 positional argument");
    }
    if (!args.positional.empty()) {
        const Value& src = args.positional[0];
        if (src.is_dict() && src.as_dict().kind == DictObject::Kind::Dict) {
            for (const auto& [k, v] : src.as_dict().entries) d->set(k, v);
        } else if (src.is_list()) {
            for (const auto& pair : src.as_list().items) {
                if (!pair.is_list() || pair.as_list().items.size() != 2 ||
                    !pair.as_list().items[0].is_string()) {
                    throw EvalError(std::string(name) + "(): expected (str, value) pairs");
                }
                d->set(pair.as_list().items[0].as_string(), pair.as_list().items[1]);
            }
        } else {
            throw EvalError(std::string(name) + "(): expected a mapping, got " + src.type_name());
        }
    }
    for (auto& [k, v] : args.named) d->set(k, v);
    return d;
}

Value raise_exception(Arguments& args) {
    ArgBinder a("raise_exception", args, {"message"});
    throw RaisedError(to_str(a.get(0), 4096));
}

// strftime_now(format): the local time, formatted; only known conversions are accepted so an
// odd format can't reach platform-specific behaviour.
Value strftime_now(Arguments& args) {
    ArgBinder a("strftime_now", args, {"format"});
    const auto format = a.get_string(0);
    if (!format) throw EvalError("strftime_now(): format must be a string");
    if (format->size() > 256) throw EvalError("strftime_now(): format too long");
    constexpr std::string_view kAllowed = "aAbBcdHIjmMpSUwWxXyYZz%eDFTRn t";
    for (size_t i = 0; i < format->size(); ++i) {
        if ((*format)[i] != '%') continue;
        if (i + 1 >= format->size() || kAllowed.find((*format)[i + 1]) == std::string_view::npos) {
            throw EvalError("strftime_now(): unsupported conversion in '" + *format + "'");
        }
        ++i;
    }
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::string buf(format->size() * 16 + 64, '\0');
    const size_t n = std::strftime(buf.data(), buf.size(), format->c_str(), &local);
    buf.resize(n);
    return buf;
}

}  // namespace

std::vector<std::pair<std::string, Value>> make_globals(Budget& budget) {
    Budget* b = &budget;
    std::vector<std::pair<std::string, Value>> globals;
    globals.emplace_back("range",
                         make_function("range", [b](Arguments& a) { return range(a, *b); }));
    globals.emplace_back("namespace", make_function("namespace", [](Arguments& a) {
                             return build_mapping("namespace", a, DictObject::Kind::Namespace);
                         }));
    globals.emplace_back("dict", make_function("dict", [](Arguments& a) {
                             return build_mapping("dict", a, DictObject::Kind::Dict);
                         }));
    globals.emplace_back("raise_exception", make_function("raise_exception", raise_exception));
    globals.emplace_back("strftime_now", make_function("strftime_now", strftime_now));
    return globals;
}

}  // namespace qe::jinja
