#include "grammar/json_rules.h"

#include <algorithm>

#include "grammar/utf8_ranges.h"

namespace qe::grammar {

namespace {

ByteSet digit_set(char lo, char hi) {
    return ByteSet::range(uint8_t(lo), uint8_t(hi));
}

ByteSet hex_set() {
    ByteSet s = digit_set('0', '9');
    s.add_range('a', 'f');
    s.add_range('A', 'F');
    return s;
}

}  // namespace

uint32_t JsonRules::ws() {
    if (ws_ != kNever) return ws_;
    ByteSet blank = ByteSet::of(' ');
    blank.add('\t');
    const uint32_t indent = b_.repeat({b_.bytes(blank)}, 0, kMaxIndent, "indent");
    ws_ = b_.group({{}, b_.literal(" "), {b_.bytes(ByteSet::of('\n')), b_.ref(indent)}}, "ws");
    return ws_;
}

uint32_t JsonRules::character() {
    if (char_ != kNever) return char_;
    // Any character but '"', '\\' and the controls, as UTF-8; or an escape. \u escapes of
    // surrogates are left out: a lone one is not valid text for strict parsers.
    std::vector<Sequence> alts;
    for (const auto& seq : utf8_alternatives({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0x10FFFF}})) {
        Sequence s;
        for (const ByteSet& bs : seq) s.push_back(b_.bytes(bs));
        alts.push_back(std::move(s));
    }
    ByteSet simple;
    for (char c : std::string("\"\\/bfnrt")) simple.add(uint8_t(c));
    const Element bs = b_.bytes(ByteSet::of('\\'));
    alts.push_back({bs, b_.bytes(simple)});
    ByteSet hex_no_d;  // a first hex digit other than d: never a surrogate
    for (int b = 0; b < 256; ++b) {
        if (hex_set().has(uint8_t(b)) && b != 'd' && b != 'D') hex_no_d.add(uint8_t(b));
    }
    const Element hex = b_.bytes(hex_set());
    const Element u = b_.bytes(ByteSet::of('u'));
    alts.push_back({bs, u, b_.bytes(hex_no_d), hex, hex, hex});
    ByteSet d = ByteSet::of('d');
    d.add('D');
    alts.push_back({bs, u, b_.bytes(d), b_.bytes(digit_set('0', '7')), hex, hex});
    char_ = b_.group(std::move(alts), "char");
    return char_;
}

uint32_t JsonRules::string(int min_length, int max_length) {
    const Element quote = b_.bytes(ByteSet::of('"'));
    const uint32_t chars = b_.repeat({b_.ref(character())}, min_length, max_length, "chars");
    return b_.group({{quote, b_.ref(chars), quote}}, "string");
}

Sequence JsonRules::digits(int n) {
    Sequence s;
    for (int i = 0; i < n; ++i) s.push_back(b_.bytes(digit_set('0', '9')));
    return s;
}

// Decimal strings without leading zeros of the integers in [lo, hi]: per digit count, the
// shared leading digits, then a low edge, a full middle and a high edge.
std::vector<Sequence> JsonRules::nonnegative(uint64_t lo, uint64_t hi) {
    std::vector<Sequence> out;
    auto same_length = [&](auto& self, const std::string& a, const std::string& z, size_t i,
                           Sequence prefix) -> void {
        if (i == a.size()) {
            out.push_back(prefix);
            return;
        }
        if (a[i] == z[i]) {
            prefix.push_back(b_.bytes(ByteSet::of(uint8_t(a[i]))));
            self(self, a, z, i + 1, prefix);
            return;
        }
        const size_t rest = a.size() - i - 1;
        const bool low_full = a.find_first_not_of('0', i + 1) == std::string::npos;
        const bool high_full = z.find_first_not_of('9', i + 1) == std::string::npos;
        const char mid_lo = low_full ? a[i] : char(a[i] + 1);
        const char mid_hi = high_full ? z[i] : char(z[i] - 1);
        if (!low_full) {
            Sequence p = prefix;
            p.push_back(b_.bytes(ByteSet::of(uint8_t(a[i]))));
            self(self, a, a.substr(0, i + 1) + std::string(rest, '9'), i + 1, p);
        }
        if (mid_lo <= mid_hi) {
            Sequence p = prefix;
            p.push_back(b_.bytes(digit_set(mid_lo, mid_hi)));
            const Sequence tail = digits(int(rest));
            p.insert(p.end(), tail.begin(), tail.end());
            out.push_back(p);
        }
        if (!high_full) {
            Sequence p = prefix;
            p.push_back(b_.bytes(ByteSet::of(uint8_t(z[i]))));
            self(self, z.substr(0, i + 1) + std::string(rest, '0'), z, i + 1, p);
        }
    };
    uint64_t start = 0;
    for (size_t len = 1; len <= size_t(kMaxIntegerDigits) && start <= hi; ++len) {
        const uint64_t end = start == 0 ? 9 : start * 10 - 1;  // the largest with `len` digits
        const uint64_t a = std::max(lo, start), z = std::min(hi, end);
        if (a <= z) same_length(same_length, std::to_string(a), std::to_string(z), 0, {});
        start = start == 0 ? 10 : start * 10;
    }
    return out;
}

uint32_t JsonRules::integer(int64_t lo, int64_t hi) {
    std::vector<Sequence> alts;
    if (hi >= 0) alts = nonnegative(uint64_t(std::max<int64_t>(lo, 0)), uint64_t(hi));
    if (lo < 0) {
        const uint64_t m_lo = hi < 0 ? uint64_t(-hi) : 1, m_hi = uint64_t(-lo);
        const Element minus = b_.bytes(ByteSet::of('-'));
        for (Sequence s : nonnegative(m_lo, m_hi)) {
            s.insert(s.begin(), minus);
            alts.push_back(std::move(s));
        }
    }
    return b_.group(std::move(alts), "integer");
}

uint32_t JsonRules::number() {
    if (number_ != kNever) return number_;
    // "-0" is a number's integer part too (-0.5), though never an integer of its own.
    const uint32_t magnitude = integer(0, kLargestInteger);
    const uint32_t integer_part =
        b_.group({{b_.ref(magnitude)}, {b_.bytes(ByteSet::of('-')), b_.ref(magnitude)}}, "int");
    const uint32_t fraction_digits =
        b_.repeat({b_.bytes(digit_set('0', '9'))}, 1, kMaxFractionDigits, "fraction");
    const uint32_t fraction =
        b_.group({{}, {b_.bytes(ByteSet::of('.')), b_.ref(fraction_digits)}}, "fraction");
    ByteSet e = ByteSet::of('e');
    e.add('E');
    ByteSet sign = ByteSet::of('+');
    sign.add('-');
    const uint32_t exp_digits = b_.repeat({b_.bytes(digit_set('0', '9'))}, 1, 2, "exponent");
    const uint32_t exponent = b_.group(
        {{}, {b_.bytes(e), b_.ref(exp_digits)}, {b_.bytes(e), b_.bytes(sign), b_.ref(exp_digits)}},
        "exponent");
    number_ = b_.group({{b_.ref(integer_part), b_.ref(fraction), b_.ref(exponent)}}, "number");
    return number_;
}

uint32_t JsonRules::bounded_number(int64_t lo_int, int64_t frac_lo, int64_t frac_hi,
                                   int64_t hi_int) {
    std::vector<Sequence> alts;
    if (lo_int <= hi_int) alts.push_back({b_.ref(integer(lo_int, hi_int))});
    if (frac_lo <= frac_hi) {
        const uint32_t fraction_digits =
            b_.repeat({b_.bytes(digit_set('0', '9'))}, 1, kMaxFractionDigits, "fraction");
        for (Sequence s : nonnegative(uint64_t(frac_lo), uint64_t(frac_hi))) {
            s.push_back(b_.bytes(ByteSet::of('.')));
            s.push_back(b_.ref(fraction_digits));
            alts.push_back(std::move(s));
        }
    }
    return b_.group(std::move(alts), "number");
}

uint32_t JsonRules::date() {
    if (date_ != kNever) return date_;
    // Days valid in every year: February stops at 28, so no calendar can refuse a date.
    auto two = [&](const std::string& s) { return b_.literal(s); };
    auto alts_of = [&](const std::vector<std::string>& months, int last_day) {
        std::vector<Sequence> out;
        for (const std::string& m : months) {
            for (int d = 1; d <= last_day; ++d) {
                Sequence s = two(m + "-");
                const std::string day = (d < 10 ? "0" : "") + std::to_string(d);
                const Sequence ds = two(day);
                s.insert(s.end(), ds.begin(), ds.end());
                out.push_back(std::move(s));
            }
        }
        return out;
    };
    std::vector<Sequence> month_day = alts_of({"01", "03", "05", "07", "08", "10", "12"}, 31);
    for (Sequence& s : alts_of({"04", "06", "09", "11"}, 30)) month_day.push_back(std::move(s));
    for (Sequence& s : alts_of({"02"}, 28)) month_day.push_back(std::move(s));
    const uint32_t md = b_.group(std::move(month_day), "month-day");
    // Years 1000-9999: year 0 is valid RFC 3339 but not to every date library.
    Sequence year = {b_.bytes(digit_set('1', '9'))};
    const Sequence rest = digits(3);
    year.insert(year.end(), rest.begin(), rest.end());
    year.push_back(b_.bytes(ByteSet::of('-')));
    year.push_back(b_.ref(md));
    date_ = b_.group({year}, "date");
    return date_;
}

uint32_t JsonRules::time() {
    if (time_ != kNever) return time_;
    const Element colon = b_.bytes(ByteSet::of(':'));
    const Element d09 = b_.bytes(digit_set('0', '9')), d05 = b_.bytes(digit_set('0', '5'));
    const uint32_t hour = b_.group({{b_.bytes(digit_set('0', '1')), d09},
                                    {b_.bytes(ByteSet::of('2')), b_.bytes(digit_set('0', '3'))}},
                                   "hour");
    const uint32_t fraction = b_.group(
        {{}, {b_.bytes(ByteSet::of('.')), b_.ref(b_.repeat({d09}, 1, 6, "second-fraction"))}},
        "second-fraction");
    ByteSet sign = ByteSet::of('+');
    sign.add('-');
    const uint32_t zone =
        b_.group({b_.literal("Z"), {b_.bytes(sign), b_.ref(hour), colon, d05, d09}}, "zone");
    time_ = b_.group(
        {{b_.ref(hour), colon, d05, d09, colon, d05, d09, b_.ref(fraction), b_.ref(zone)}}, "time");
    return time_;
}

uint32_t JsonRules::formatted_string(const std::string& format) {
    const Element quote = b_.bytes(ByteSet::of('"'));
    Sequence body;
    if (format == "date") {
        body = {b_.ref(date())};
    } else if (format == "time") {
        body = {b_.ref(time())};
    } else if (format == "date-time") {
        body = {b_.ref(date()), b_.bytes(ByteSet::of('T')), b_.ref(time())};
    } else if (format == "uuid") {
        const Element hex = b_.bytes(hex_set()), dash = b_.bytes(ByteSet::of('-'));
        for (int group : {8, 4, 4, 4, 12}) {
            if (!body.empty()) body.push_back(dash);
            body.insert(body.end(), size_t(group), hex);
        }
    } else if (format == "email") {
        ByteSet alnum = digit_set('0', '9');
        alnum.add_range('a', 'z');
        alnum.add_range('A', 'Z');
        ByteSet local = alnum, label = alnum;
        for (char c : std::string("._+-")) local.add(uint8_t(c));
        label.add('-');
        const Element a = b_.bytes(alnum);
        const uint32_t local_rest = b_.repeat({b_.bytes(local)}, 0, 31, "email-local");
        const uint32_t label_rest = b_.repeat({b_.bytes(label)}, 0, 31, "email-label");
        const uint32_t dot_label =
            b_.repeat({b_.bytes(ByteSet::of('.')), a, b_.ref(label_rest)}, 1, 3, "email-domain");
        body = {a, b_.ref(local_rest), b_.bytes(ByteSet::of('@')),
                a, b_.ref(label_rest), b_.ref(dot_label)};
    } else {
        return kNever;
    }
    body.insert(body.begin(), quote);
    body.push_back(quote);
    return b_.group({body}, format);
}

uint32_t JsonRules::any_object() {
    if (object_ != kNever) return object_;
    any_value();
    return object_;
}

uint32_t JsonRules::any_value() {
    if (value_ != kNever) return value_;
    value_ = b_.fresh_rule("value");
    object_ = b_.fresh_rule("object");
    const uint32_t array = b_.fresh_rule("array");
    const Element w = b_.ref(ws());
    const Element comma = b_.bytes(ByteSet::of(','));
    // member ::= string ws ":" ws value ws
    const uint32_t member = b_.group({{b_.ref(string(0, GrammarBuilder::kUnbounded)), w,
                                       b_.bytes(ByteSet::of(':')), w, b_.ref(value_), w}},
                                     "member");
    const uint32_t more_members =
        b_.repeat({comma, w, b_.ref(member)}, 0, GrammarBuilder::kUnbounded, "members");
    b_.define(object_, {{b_.bytes(ByteSet::of('{')), w, b_.bytes(ByteSet::of('}'))},
                        {b_.bytes(ByteSet::of('{')), w, b_.ref(member), b_.ref(more_members),
                         b_.bytes(ByteSet::of('}'))}});
    const uint32_t more_items =
        b_.repeat({comma, w, b_.ref(value_), w}, 0, GrammarBuilder::kUnbounded, "items");
    b_.define(array, {{b_.bytes(ByteSet::of('[')), w, b_.bytes(ByteSet::of(']'))},
                      {b_.bytes(ByteSet::of('[')), w, b_.ref(value_), w, b_.ref(more_items),
                       b_.bytes(ByteSet::of(']'))}});
    b_.define(value_, {{b_.ref(object_)},
                       {b_.ref(array)},
                       {b_.ref(string(0, GrammarBuilder::kUnbounded))},
                       {b_.ref(number())},
                       b_.literal("true"),
                       b_.literal("false"),
                       b_.literal("null")});
    return value_;
}

}  // namespace qe::grammar
