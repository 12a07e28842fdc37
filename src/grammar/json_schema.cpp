#include "grammar/json_schema.h"

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "grammar/grammar_limits.h"
#include "grammar/json_rules.h"

namespace qe::grammar {

namespace {

using json = nlohmann::ordered_json;

// Keywords that describe and never constrain.
const std::set<std::string> kAnnotations = {
    "title",    "description", "default",  "examples",  "$schema", "$id",
    "$comment", "deprecated",  "readOnly", "writeOnly", "$defs",   "definitions",
};

const std::set<std::string> kSupported = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "anyOf",
    "oneOf",
    "$ref",
    "nullable",
};

std::string escape_pointer(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

class SchemaCompiler {
  public:
    // Rules go to `b`; $ref rules are named `prefix` + the pointer, so that several schemas can
    // share one builder.
    SchemaCompiler(const json& root, GrammarBuilder& b, std::string prefix)
        : root_(root), b_(b), rules_(b), prefix_(std::move(prefix)) {}

    // The rule of `sub`, a schema inside the root at the JSON pointer `path` ("" for the root).
    uint32_t compile(const json& sub, const std::string& path) { return schema(sub, path, 0); }

  private:
    [[noreturn]] static void fail(const std::string& path, const std::string& what) {
        throw Error("json_schema: " + what + " at " + (path.empty() ? "/" : path));
    }

    static int count(const json& s, const char* key, const std::string& path, int fallback) {
        if (!s.contains(key)) return fallback;
        const json& v = s[key];
        if (!v.is_number_integer() || v.get<int64_t>() < 0) {
            fail(path + "/" + key, std::string(key) + " must be a non-negative integer");
        }
        if (v.get<int64_t>() > kMaxRepeat) {
            fail(path + "/" + key, std::string(key) + " larger than " + std::to_string(kMaxRepeat));
        }
        return int(v.get<int64_t>());
    }

    uint32_t schema(const json& s, const std::string& path, int depth) {
        if (depth > kMaxNesting) {
            fail(path, "schema nested deeper than " + std::to_string(kMaxNesting));
        }
        if (s.is_boolean()) {
            if (!s.get<bool>()) fail(path, "schema false matches nothing");
            return rules_.any_value();
        }
        if (!s.is_object()) fail(path, "a schema must be an object or a boolean");
        size_t constraining = 0;
        for (const auto& [key, value] : s.items()) {
            if (kAnnotations.count(key)) continue;
            if (!kSupported.count(key)) fail(path, "unsupported keyword '" + key + "'");
            ++constraining;
        }
        // One combining keyword decides alone: siblings beside it would need intersections.
        for (const char* alone : {"$ref", "anyOf", "oneOf", "enum", "const"}) {
            if (!s.contains(alone)) continue;
            const size_t allowed = 1 + s.count("type") + s.count("nullable");
            const bool value_keyword =
                std::string(alone) == "enum" || std::string(alone) == "const";
            if (constraining > (value_keyword ? allowed : 1)) {
                fail(path, std::string("keywords beside '") + alone + "' are not supported");
            }
            if (std::string(alone) == "$ref") return ref(s["$ref"], path + "/$ref", depth);
            if (value_keyword) return values(s, alone, path);
            return any_of(s[alone], path + "/" + alone, depth);
        }
        std::vector<std::string> types;
        if (!s.contains("type")) {
            if (s.contains("properties") || s.contains("additionalProperties") ||
                s.contains("required")) {
                types = {"object"};
            } else if (s.contains("items") || s.contains("minItems") || s.contains("maxItems")) {
                types = {"array"};
            } else if (constraining == 0) {
                return rules_.any_value();
            } else {
                fail(path, "a schema with constraints needs a 'type'");
            }
        } else if (s["type"].is_string()) {
            types = {s["type"].get<std::string>()};
        } else if (s["type"].is_array() && !s["type"].empty()) {
            for (const json& t : s["type"]) {
                if (!t.is_string()) fail(path + "/type", "type names must be strings");
                types.push_back(t.get<std::string>());
            }
        } else {
            fail(path + "/type", "type must be a name or a non-empty list of names");
        }
        if (s.value("nullable", false)) types.push_back("null");
        std::vector<Sequence> alts;
        for (const std::string& t : types) alts.push_back({b_.ref(typed(s, t, path, depth))});
        return b_.group(std::move(alts), path);
    }

    uint32_t typed(const json& s, const std::string& type, const std::string& path, int depth) {
        if (type == "object") return object(s, path, depth);
        if (type == "array") return array(s, path, depth);
        if (type == "string") return string(s, path);
        if (type == "integer" || type == "number") return number(s, type, path);
        if (type == "boolean") return b_.group({b_.literal("true"), b_.literal("false")}, path);
        if (type == "null") return b_.group({b_.literal("null")}, path);
        fail(path + "/type", "unknown type '" + type + "'");
    }

    uint32_t values(const json& s, const std::string& keyword, const std::string& path) {
        std::vector<Sequence> alts;
        if (keyword == "const") {
            alts.push_back(rules_.literal(s["const"].dump()));
        } else {
            if (!s["enum"].is_array() || s["enum"].empty()) {
                fail(path + "/enum", "enum must be a non-empty array");
            }
            for (const json& v : s["enum"]) alts.push_back(rules_.literal(v.dump()));
        }
        return b_.group(std::move(alts), path);
    }

    uint32_t any_of(const json& list, const std::string& path, int depth) {
        if (!list.is_array() || list.empty()) fail(path, "must be a non-empty array of schemas");
        std::vector<Sequence> alts;
        for (size_t i = 0; i < list.size(); ++i) {
            alts.push_back({b_.ref(schema(list[i], path + "/" + std::to_string(i), depth + 1))});
        }
        return b_.group(std::move(alts), path);
    }

    uint32_t ref(const json& target, const std::string& path, int depth) {
        if (!target.is_string()) fail(path, "$ref must be a string");
        const std::string r = target.get<std::string>();
        if (r.empty() || r[0] != '#')
            fail(path, "only local $ref ('#/...') is supported: '" + r + "'");
        // Named by the pointer, so a loop that never reads a byte is reported by it.
        const uint32_t id = b_.rule(prefix_ + r);
        if (!started_.insert(r).second) return id;
        const json* resolved = nullptr;
        try {
            resolved = &root_.at(json::json_pointer(r.substr(1)));
        } catch (const json::exception&) {
            fail(path, "$ref '" + r + "' does not resolve");
        }
        b_.define(id, {{b_.ref(schema(*resolved, r.substr(1), depth + 1))}});
        return id;
    }

    uint32_t object(const json& s, const std::string& path, int depth) {
        const Element w = b_.ref(rules_.ws());
        const Element comma = b_.bytes(ByteSet::of(','));
        const Element colon = b_.bytes(ByteSet::of(':'));
        const Element open = b_.bytes(ByteSet::of('{')), close = b_.bytes(ByteSet::of('}'));
        const json empty = json::object();
        const json& props = s.contains("properties") ? s["properties"] : empty;
        if (!props.is_object()) fail(path + "/properties", "properties must be an object");
        std::set<std::string> required;
        if (s.contains("required")) {
            if (!s["required"].is_array()) fail(path + "/required", "required must be an array");
            for (const json& name : s["required"]) {
                if (!name.is_string()) fail(path + "/required", "required names must be strings");
                if (!props.contains(name.get<std::string>())) {
                    fail(path + "/required", "required property '" + name.get<std::string>() +
                                                 "' has no schema in properties");
                }
                required.insert(name.get<std::string>());
            }
        }
        const json additional = s.value("additionalProperties", json(true));
        if (!additional.is_boolean() && !additional.is_object()) {
            fail(path + "/additionalProperties", "must be a boolean or a schema");
        }
        if (props.empty()) {
            // A map: any keys, values of the additional schema.
            if (additional.is_boolean() && !additional.get<bool>()) {
                return b_.group({{open, w, close}}, path);
            }
            if (additional.is_boolean()) return rules_.any_object();
            const uint32_t value = schema(additional, path + "/additionalProperties", depth + 1);
            const uint32_t member = b_.group({{b_.ref(rules_.string(0, GrammarBuilder::kUnbounded)),
                                               w, colon, w, b_.ref(value), w}},
                                             path + "/member");
            const uint32_t more = b_.repeat({comma, w, b_.ref(member)}, 0,
                                            GrammarBuilder::kUnbounded, path + "/members");
            return b_.group({{open, w, close}, {open, w, b_.ref(member), b_.ref(more), close}},
                            path);
        }
        if (additional.is_object()) {
            schema(additional, path + "/additionalProperties", depth + 1);  // checked, unused
        }
        // Members in order; tail[i][first] writes the members from i on, `first` when none was
        // written yet (so no comma before the next).
        struct Member {
            Sequence seq;
            bool required;
        };
        std::vector<Member> members;
        for (const auto& [name, sub] : props.items()) {
            Sequence m = rules_.literal(json(name).dump());
            m.push_back(w);
            m.push_back(colon);
            m.push_back(w);
            m.push_back(
                b_.ref(schema(sub, path + "/properties/" + escape_pointer(name), depth + 1)));
            m.push_back(w);
            members.push_back({std::move(m), required.count(name) > 0});
        }
        uint32_t next[2] = {b_.group({{}}, path), 0};
        next[1] = next[0];
        for (size_t i = members.size(); i-- > 0;) {
            uint32_t here[2];
            for (int first = 0; first < 2; ++first) {
                Sequence with = first ? Sequence{} : Sequence{comma, w};
                with.insert(with.end(), members[i].seq.begin(), members[i].seq.end());
                with.push_back(b_.ref(next[0]));
                std::vector<Sequence> alts{with};
                if (!members[i].required) alts.push_back({b_.ref(next[first])});
                here[first] = b_.group(std::move(alts), path + "/properties");
            }
            next[0] = here[0];
            next[1] = here[1];
        }
        return b_.group({{open, w, b_.ref(next[1]), close}}, path);
    }

    uint32_t array(const json& s, const std::string& path, int depth) {
        const int min = count(s, "minItems", path, 0);
        const int max = count(s, "maxItems", path, GrammarBuilder::kUnbounded);
        if (max != GrammarBuilder::kUnbounded && max < min) fail(path, "maxItems below minItems");
        const uint32_t item = s.contains("items") ? schema(s["items"], path + "/items", depth + 1)
                                                  : rules_.any_value();
        const Element w = b_.ref(rules_.ws());
        const Element open = b_.bytes(ByteSet::of('[')), close = b_.bytes(ByteSet::of(']'));
        std::vector<Sequence> alts;
        if (min == 0) alts.push_back({open, w, close});
        if (max != 0) {
            const uint32_t more =
                b_.repeat({b_.bytes(ByteSet::of(',')), w, b_.ref(item), w}, std::max(min - 1, 0),
                          max == GrammarBuilder::kUnbounded ? max : max - 1, path + "/items");
            alts.push_back({open, w, b_.ref(item), w, b_.ref(more), close});
        }
        return b_.group(std::move(alts), path);
    }

    uint32_t string(const json& s, const std::string& path) {
        const int min = count(s, "minLength", path, 0);
        const int max = count(s, "maxLength", path, GrammarBuilder::kUnbounded);
        if (max != GrammarBuilder::kUnbounded && max < min) fail(path, "maxLength below minLength");
        if (!s.contains("format")) return rules_.string(min, max);
        if (!s["format"].is_string()) fail(path + "/format", "format must be a string");
        if (s.contains("minLength") || s.contains("maxLength")) {
            fail(path, "minLength or maxLength beside format is not supported");
        }
        const std::string format = s["format"].get<std::string>();
        const uint32_t id = rules_.formatted_string(format);
        if (id == kNever) fail(path + "/format", "unsupported format '" + format + "'");
        return id;
    }

    static double bound(const json& s, const char* key, const std::string& path) {
        const json& v = s[key];
        if (!v.is_number()) fail(path + "/" + key, std::string(key) + " must be a number");
        return v.get<double>();
    }

    uint32_t number(const json& s, const std::string& type, const std::string& path) {
        const bool bounded = s.contains("minimum") || s.contains("maximum") ||
                             s.contains("exclusiveMinimum") || s.contains("exclusiveMaximum");
        if (!bounded) {
            if (type == "number") return rules_.number();
            return rules_.integer(-kLargestInteger, kLargestInteger);
        }
        // The integers allowed, and the range of integer parts k whose [k, k+1) is allowed.
        const double big = double(kLargestInteger);
        double lo = -big, hi = big, frac_hi = big - 1;
        if (s.contains("minimum")) lo = std::max(lo, std::ceil(bound(s, "minimum", path)));
        if (s.contains("exclusiveMinimum")) {
            lo = std::max(lo, std::floor(bound(s, "exclusiveMinimum", path)) + 1);
        }
        if (s.contains("maximum")) {
            const double m = bound(s, "maximum", path);
            hi = std::min(hi, std::floor(m));
            frac_hi = std::min(frac_hi, std::floor(m) - 1);
        }
        if (s.contains("exclusiveMaximum")) {
            const double m = bound(s, "exclusiveMaximum", path);
            hi = std::min(hi, std::ceil(m) - 1);
            frac_hi = std::min(frac_hi, std::floor(m) - 1);
        }
        if (lo > big || hi < -big || lo > hi) fail(path, "no " + type + " in the range");
        const double frac_lo = std::max(lo, 0.0);
        if (type == "integer") return rules_.integer(int64_t(lo), int64_t(hi));
        return rules_.bounded_number(int64_t(lo), int64_t(frac_lo), int64_t(frac_hi), int64_t(hi));
    }

    const json& root_;
    GrammarBuilder& b_;
    JsonRules rules_;
    std::string prefix_;
    std::set<std::string> started_;
};

// Runs `compile`, turning what goes wrong into qe::Error("json_schema: ...").
template <typename F>
auto with_schema_errors(F compile) {
    try {
        return compile();
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("json_schema: ") + e.what());
    } catch (const Error& e) {
        // The builder's findings (a $ref loop that reads nothing, a schema that can never
        // finish) name the rule, which for a $ref is its pointer.
        const std::string what = e.what();
        if (what.rfind("grammar: ", 0) == 0) throw Error("json_schema: " + what.substr(9));
        throw;
    }
}

void check_size(const json& schema) {
    // The size of the text, as a bound on the work to come.
    if ((schema.is_object() || schema.is_boolean()) && schema.dump().size() > kMaxSourceBytes) {
        throw Error("json_schema: larger than " + std::to_string(kMaxSourceBytes) + " bytes");
    }
}

}  // namespace

Grammar compile_json_schema(const nlohmann::json& schema) {
    return compile_json_schema(nlohmann::ordered_json::parse(schema.dump()));
}

Grammar compile_json_schema(const nlohmann::ordered_json& schema) {
    check_size(schema);
    return with_schema_errors([&] {
        GrammarBuilder b;
        const uint32_t top = SchemaCompiler(schema, b, "").compile(schema, "");
        return std::move(b).build(top);
    });
}

uint32_t add_json_schema(GrammarBuilder& b, const nlohmann::ordered_json& root,
                         const nlohmann::ordered_json& sub, const std::string& path,
                         const std::string& prefix) {
    check_size(root);
    return with_schema_errors([&] { return SchemaCompiler(root, b, prefix).compile(sub, path); });
}

Grammar json_object_grammar() {
    GrammarBuilder b;
    JsonRules rules(b);
    const uint32_t object = rules.any_object();
    return std::move(b).build(object);
}

}  // namespace qe::grammar
