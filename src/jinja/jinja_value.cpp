#include "jinja/jinja_value.h"

#include <algorithm>
#include <cmath>

#include "jinja/jinja_text.h"

namespace qe::jinja {

namespace {

void check_depth(uint32_t depth) {
    if (depth > kMaxValueDepth) {
        throw EvalError("value nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
    }
}

void check_weight(uint64_t weight) {
    if (weight > kMaxValueWeight) {
        throw EvalError("value too large (more than " + std::to_string(kMaxValueWeight) +
                        " elements, counting repeats)");
    }
}

void check_storable(const Value& v) {
    if (v.is_mutable_object()) {
        throw EvalError("a " + v.type_name() +
                        " object can't be stored in a list, dict or namespace");
    }
}

void check_size(const std::string& out, size_t max_bytes) {
    if (out.size() > max_bytes) {
        throw EvalError("text longer than the limit of " + std::to_string(max_bytes) + " bytes");
    }
}

bool same_object(const Value& a, const Value& b) {
    if (a.is_dict() && b.is_dict()) return a.dict_ptr() == b.dict_ptr();
    if (a.is_list() && b.is_list()) return a.list_ptr() == b.list_ptr();
    if (a.is_function() && b.is_function()) {
        return std::get<FunctionPtr>(a.data()) == std::get<FunctionPtr>(b.data());
    }
    return false;
}

void append_json(std::string& out, const Value& v, const JsonStyle& style, int level,
                 size_t max_bytes) {
    check_size(out, max_bytes);
    auto newline = [&](int lvl) {
        if (!style.indent) return;
        out += '\n';
        for (int i = 0; i < lvl; ++i) out += *style.indent;
    };
    if (v.is_none()) {
        out += "null";
    } else if (v.is_bool()) {
        out += v.as_bool() ? "true" : "false";
    } else if (v.is_int()) {
        out += std::to_string(v.as_int());
    } else if (v.is_float()) {
        const double d = v.number();
        if (std::isnan(d)) {
            out += "NaN";
        } else if (std::isinf(d)) {
            out += d < 0 ? "-Infinity" : "Infinity";
        } else {
            out += format_float(d);
        }
    } else if (v.is_string()) {
        append_json_string(out, v.as_string(), style.ensure_ascii);
    } else if (v.is_list()) {
        const auto& items = v.as_list().items;
        if (items.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i) out += style.item_separator;
            newline(level + 1);
            append_json(out, items[i], style, level + 1, max_bytes);
        }
        newline(level);
        out += ']';
    } else if (v.is_dict() && v.as_dict().kind == DictObject::Kind::Dict) {
        const auto& entries = v.as_dict().entries;
        if (entries.empty()) {
            out += "{}";
            return;
        }
        std::vector<const std::pair<std::string, Value>*> order;
        order.reserve(entries.size());
        for (const auto& e : entries) order.push_back(&e);
        if (style.sort_keys) {
            std::stable_sort(order.begin(), order.end(),
                             [](auto* a, auto* b) { return a->first < b->first; });
        }
        out += '{';
        for (size_t i = 0; i < order.size(); ++i) {
            if (i) out += style.item_separator;
            newline(level + 1);
            append_json_string(out, order[i]->first, style.ensure_ascii);
            out += style.key_separator;
            append_json(out, order[i]->second, style, level + 1, max_bytes);
        }
        newline(level);
        out += '}';
    } else {
        throw EvalError("Object of type " + v.type_name() + " is not JSON serializable");
    }
}

Value from_json_at(const nlohmann::ordered_json& j, uint32_t depth) {
    using T = nlohmann::ordered_json::value_t;
    switch (j.type()) {
        case T::null:
        case T::discarded:
            return nullptr;
        case T::boolean:
            return j.get<bool>();
        case T::number_integer:
            return j.get<int64_t>();
        case T::number_unsigned: {
            const auto u = j.get<uint64_t>();
            // Python ints are unbounded; beyond int64 the nearest double keeps the magnitude.
            if (u > static_cast<uint64_t>(INT64_MAX)) return static_cast<double>(u);
            return static_cast<int64_t>(u);
        }
        case T::number_float:
            return j.get<double>();
        case T::string:
            return j.get_ref<const std::string&>();
        case T::binary:
            throw EvalError("binary JSON values are not supported");
        case T::array: {
            check_depth(depth + 1);
            std::vector<Value> items;
            items.reserve(j.size());
            for (const auto& e : j) items.push_back(from_json_at(e, depth + 1));
            return Value::list(std::move(items));
        }
        case T::object: {
            check_depth(depth + 1);
            auto dict = make_dict();
            for (const auto& [k, e] : j.items()) dict->set(k, from_json_at(e, depth + 1));
            return dict;
        }
    }
    return nullptr;
}

}  // namespace

Value Value::list(std::vector<Value> items, bool tuple) {
    auto obj = std::make_shared<ListObject>();
    uint32_t depth = 0;
    uint64_t weight = 1;
    for (const auto& item : items) {
        check_storable(item);
        depth = std::max(depth, item.depth());
        weight += item.weight();
        check_weight(weight);
    }
    check_depth(depth + 1);
    obj->items = std::move(items);
    obj->is_tuple = tuple;
    obj->depth = depth + 1;
    obj->weight = weight;
    return obj;
}

bool Value::is_namespace() const {
    return is_dict() && as_dict().kind == DictObject::Kind::Namespace;
}

bool Value::is_tuple() const {
    return is_list() && as_list().is_tuple;
}

bool Value::is_mutable_object() const {
    return is_dict() && as_dict().kind != DictObject::Kind::Dict;
}

uint64_t Value::weight() const {
    if (is_list()) return as_list().weight;
    if (is_dict()) return as_dict().weight;
    if (is_string()) return 1 + as_string().size() / 16;
    return 1;
}

double Value::number() const {
    if (is_float()) return std::get<double>(data_);
    return static_cast<double>(integer());
}

bool Value::truthy() const {
    struct Visitor {
        bool operator()(const Undefined&) const { return false; }
        bool operator()(std::nullptr_t) const { return false; }
        bool operator()(bool b) const { return b; }
        bool operator()(int64_t i) const { return i != 0; }
        bool operator()(double d) const { return d != 0.0; }
        bool operator()(const std::string& s) const { return !s.empty(); }
        bool operator()(const ListPtr& l) const { return !l->items.empty(); }
        bool operator()(const DictPtr& d) const {
            return d->kind != DictObject::Kind::Dict || !d->entries.empty();
        }
        bool operator()(const FunctionPtr&) const { return true; }
    };
    return std::visit(Visitor{}, data_);
}

uint32_t Value::depth() const {
    if (is_list()) return as_list().depth;
    if (is_dict()) return as_dict().depth;
    return 0;
}

std::string Value::type_name() const {
    struct Visitor {
        std::string operator()(const Undefined&) const { return "Undefined"; }
        std::string operator()(std::nullptr_t) const { return "NoneType"; }
        std::string operator()(bool) const { return "bool"; }
        std::string operator()(int64_t) const { return "int"; }
        std::string operator()(double) const { return "float"; }
        std::string operator()(const std::string&) const { return "str"; }
        std::string operator()(const ListPtr& l) const { return l->is_tuple ? "tuple" : "list"; }
        std::string operator()(const DictPtr& d) const {
            switch (d->kind) {
                case DictObject::Kind::Namespace:
                    return "Namespace";
                case DictObject::Kind::Loop:
                    return "LoopContext";
                default:
                    return "dict";
            }
        }
        std::string operator()(const FunctionPtr&) const { return "function"; }
    };
    return std::visit(Visitor{}, data_);
}

const Value* DictObject::find(std::string_view key) const {
    if (entries.size() <= kLinearSearchSize) {
        for (const auto& e : entries) {
            if (e.first == key) return &e.second;
        }
        return nullptr;
    }
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &entries[it->second].second;
}

void DictObject::set(std::string key, Value value) {
    check_storable(value);
    const uint32_t child_depth = value.depth();
    check_depth(child_depth + 1);
    Value* old = const_cast<Value*>(find(key));
    const uint64_t new_weight = weight - (old ? old->weight() : 0) + value.weight();
    check_weight(new_weight);
    depth = std::max(depth, child_depth + 1);
    weight = new_weight;
    if (old) {
        *old = std::move(value);
        return;
    }
    entries.emplace_back(std::move(key), std::move(value));
    if (entries.size() == kLinearSearchSize + 1) {
        for (size_t i = 0; i < entries.size(); ++i) index_.emplace(entries[i].first, i);
    } else if (entries.size() > kLinearSearchSize + 1) {
        index_.emplace(entries.back().first, entries.size() - 1);
    }
}

DictPtr make_dict(DictObject::Kind kind) {
    auto d = std::make_shared<DictObject>();
    d->kind = kind;
    return d;
}

FunctionPtr make_function(std::string name, std::function<Value(Arguments&)> call) {
    auto f = std::make_shared<FunctionObject>();
    f->name = std::move(name);
    f->call = std::move(call);
    return f;
}

bool equals(const Value& a, const Value& b) {
    if (a.is_undefined() || b.is_undefined()) return a.is_undefined() && b.is_undefined();
    if (a.is_none() || b.is_none()) return a.is_none() && b.is_none();
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) return a.number() == b.number();
        return a.integer() == b.integer();
    }
    if (a.is_string() && b.is_string()) return a.as_string() == b.as_string();
    if (same_object(a, b)) return true;  // as Python, identity implies equality for containers
    if (a.is_list() && b.is_list()) {
        const auto& x = a.as_list();
        const auto& y = b.as_list();
        if (x.is_tuple != y.is_tuple || x.items.size() != y.items.size()) return false;
        for (size_t i = 0; i < x.items.size(); ++i) {
            if (!equals(x.items[i], y.items[i])) return false;
        }
        return true;
    }
    if (a.is_dict() && b.is_dict()) {
        const auto& x = a.as_dict();
        const auto& y = b.as_dict();
        if (x.kind != DictObject::Kind::Dict || y.kind != DictObject::Kind::Dict) {
            return same_object(a, b);
        }
        if (x.size() != y.size()) return false;
        for (const auto& [k, v] : x.entries) {
            const Value* other = y.find(k);
            if (!other || !equals(v, *other)) return false;
        }
        return true;
    }
    return same_object(a, b);
}

bool less_than(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_float() || b.is_float()) return a.number() < b.number();
        return a.integer() < b.integer();
    }
    if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();  // code point order
    if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
        const auto& x = a.as_list().items;
        const auto& y = b.as_list().items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (!equals(x[i], y[i])) return less_than(x[i], y[i]);
        }
        return x.size() < y.size();
    }
    throw EvalError("'<' not supported between instances of '" + a.type_name() + "' and '" +
                    b.type_name() + "'");
}

bool contains(const Value& container, const Value& item) {
    if (container.is_undefined()) return false;  // iterates as empty
    if (container.is_string()) {
        if (!item.is_string()) {
            throw EvalError("'in <string>' requires string as left operand, not " +
                            item.type_name());
        }
        return container.as_string().find(item.as_string()) != std::string::npos;
    }
    if (container.is_list()) {
        for (const auto& v : container.as_list().items) {
            if (equals(v, item)) return true;
        }
        return false;
    }
    if (container.is_dict() && container.as_dict().kind == DictObject::Kind::Dict) {
        if (item.is_list() && !item.is_tuple()) throw EvalError("unhashable type: 'list'");
        if (item.is_dict()) throw EvalError("unhashable type: 'dict'");
        return item.is_string() && container.as_dict().find(item.as_string()) != nullptr;
    }
    throw EvalError("argument of type '" + container.type_name() + "' is not iterable");
}

namespace {

void append_repr(std::string& out, const Value& v, size_t max_bytes) {
    check_size(out, max_bytes);
    if (v.is_string()) {
        out += repr_string(v.as_string());
    } else if (v.is_list()) {
        const ListObject& l = v.as_list();
        out += l.is_tuple ? "(" : "[";
        for (size_t i = 0; i < l.items.size(); ++i) {
            if (i) out += ", ";
            append_repr(out, l.items[i], max_bytes);
        }
        if (l.is_tuple && l.items.size() == 1) out += ",";
        out += l.is_tuple ? ")" : "]";
    } else if (v.is_dict()) {
        const DictObject& d = v.as_dict();
        if (d.kind == DictObject::Kind::Loop) {
            out += "<LoopContext>";
            return;
        }
        if (d.kind == DictObject::Kind::Namespace) out += "<Namespace ";
        out += "{";
        for (size_t i = 0; i < d.entries.size(); ++i) {
            if (i) out += ", ";
            out += repr_string(d.entries[i].first);
            out += ": ";
            append_repr(out, d.entries[i].second, max_bytes);
        }
        out += "}";
        if (d.kind == DictObject::Kind::Namespace) out += ">";
    } else if (v.is_function()) {
        out += "<function " + v.as_function().name + ">";
    } else if (v.is_undefined()) {
        out += "Undefined";
    } else if (v.is_none()) {
        out += "None";
    } else if (v.is_bool()) {
        out += v.as_bool() ? "True" : "False";
    } else if (v.is_int()) {
        out += std::to_string(v.as_int());
    } else {
        out += format_float(v.number());
    }
    check_size(out, max_bytes);
}

}  // namespace

std::string to_str(const Value& v, size_t max_bytes) {
    if (v.is_string()) return v.as_string();
    if (v.is_undefined()) return "";
    return repr(v, max_bytes);
}

std::string repr(const Value& v, size_t max_bytes) {
    std::string out;
    append_repr(out, v, max_bytes);
    return out;
}

std::string to_json(const Value& v, const JsonStyle& style, size_t max_bytes) {
    std::string out;
    append_json(out, v, style, 0, max_bytes);
    check_size(out, max_bytes);
    return out;
}

Value from_json(const nlohmann::ordered_json& j) {
    return from_json_at(j, 0);
}

}  // namespace qe::jinja
