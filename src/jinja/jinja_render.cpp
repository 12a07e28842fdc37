#include "jinja/jinja_render.h"

#include <algorithm>
#include <memory>

#include "jinja/jinja_builtins.h"
#include "jinja/jinja_error.h"

namespace qe::jinja {

namespace {

class Frame;
using FramePtr = std::shared_ptr<Frame>;

// One scope: its own variables and the enclosing scope.
class Frame {
  public:
    explicit Frame(FramePtr parent) : parent_(std::move(parent)) {}

    const Value* find(std::string_view name) const {
        for (const Frame* f = this; f; f = f->parent_.get()) {
            for (const auto& [k, v] : f->vars_) {
                if (k == name) return &v;
            }
        }
        return nullptr;
    }

    void set(const std::string& name, Value value) {
        for (auto& [k, v] : vars_) {
            if (k == name) {
                v = std::move(value);
                return;
            }
        }
        vars_.emplace_back(name, std::move(value));
    }

  private:
    FramePtr parent_;
    std::vector<std::pair<std::string, Value>> vars_;
};

class Interpreter {
  public:
    Interpreter(std::string_view source, const RenderLimits& limits)
        : source_(source), budget_(limits) {}

    Budget& budget() { return budget_; }

    std::string run(const Body& body, const FramePtr& frame) {
        std::string out;
        exec_body(body, frame, out);
        return out;
    }

  private:
    enum class Flow { Normal, Break, Continue };

    class DepthGuard {
      public:
        DepthGuard(Interpreter& in, uint32_t offset) : in_(in) {
            if (++in_.depth_ > kMaxEvalDepth) {
                in_.fail(offset, EvalError("template recursion deeper than " +
                                           std::to_string(kMaxEvalDepth) + " levels"));
            }
        }
        ~DepthGuard() { --in_.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

      private:
        Interpreter& in_;
    };

    [[noreturn]] void fail(uint32_t offset, const EvalError& e) const {
        const auto kind = dynamic_cast<const RaisedError*>(&e) ? TemplateError::Kind::Raised
                                                               : TemplateError::Kind::Render;
        throw TemplateError(kind, locate(source_, offset), e.what());
    }

    // Anything else thrown while evaluating (std::bad_alloc, a library's exception) is still
    // reported as a template error: callers rely on TemplateError to fall back, never on luck.
    static EvalError internal_error(const std::exception& e) {
        return EvalError(std::string("internal error: ") + e.what());
    }

    void append(std::string& out, std::string_view text) {
        if (out.size() + text.size() > budget_.limits().max_output_bytes) {
            throw EvalError("output longer than the limit of " +
                            std::to_string(budget_.limits().max_output_bytes) + " bytes");
        }
        budget_.step(text.size() / 64);
        out.append(text);
    }

    std::string text_of(const Value& v) {
        budget_.walk(v);
        return to_str(v, budget_.limits().max_output_bytes);
    }

    // ---- statements -------------------------------------------------------------------------

    Flow exec_body(const Body& body, const FramePtr& frame, std::string& out) {
        for (const auto& stmt : body) {
            const Flow flow = exec(*stmt, frame, out);
            if (flow != Flow::Normal) return flow;
        }
        return Flow::Normal;
    }

    Flow exec(const Stmt& stmt, const FramePtr& frame, std::string& out) {
        DepthGuard guard(*this, stmt.offset);
        try {
            budget_.step();
            return std::visit([&](const auto& node) { return exec_node(node, stmt, frame, out); },
                              stmt.node);
        } catch (const EvalError& e) {
            fail(stmt.offset, e);
        } catch (const TemplateError&) {
            throw;
        } catch (const std::exception& e) {
            fail(stmt.offset, internal_error(e));
        }
    }

    Flow exec_node(const TextStmt& s, const Stmt&, const FramePtr&, std::string& out) {
        append(out, s.text);
        return Flow::Normal;
    }

    Flow exec_node(const PrintStmt& s, const Stmt&, const FramePtr& frame, std::string& out) {
        const Value v = eval(*s.value, frame);
        if (v.is_string()) {
            append(out, v.as_string());
        } else {
            append(out, text_of(v));
        }
        return Flow::Normal;
    }

    Flow exec_node(const IfStmt& s, const Stmt&, const FramePtr& frame, std::string& out) {
        for (const auto& [condition, body] : s.branches) {
            if (eval(*condition, frame).truthy()) return exec_body(body, frame, out);
        }
        return exec_body(s.otherwise, frame, out);
    }

    Flow exec_node(const ForStmt& s, const Stmt&, const FramePtr& frame, std::string& out) {
        const Value iterable = eval(*s.iterable, frame);
        std::vector<Value> items;
        try {
            items = iterate(iterable, budget_);
        } catch (const EvalError& e) {
            fail(s.iterable->offset, e);
        }
        if (s.filter) {
            std::vector<Value> kept;
            for (auto& item : items) {
                budget_.step(kLoopTurnCost);
                auto scope = std::make_shared<Frame>(frame);
                assign(*scope, s.target, item);
                if (eval(*s.filter, scope).truthy()) kept.push_back(std::move(item));
            }
            items = std::move(kept);
        }
        if (items.empty()) {
            return exec_body(s.otherwise, std::make_shared<Frame>(frame), out);
        }
        for (size_t i = 0; i < items.size(); ++i) {
            budget_.step(kLoopTurnCost);
            auto scope = std::make_shared<Frame>(frame);
            assign(*scope, s.target, items[i]);
            if (s.uses_loop) scope->set("loop", make_loop(items, i));
            if (exec_body(s.body, scope, out) == Flow::Break) break;
        }
        return Flow::Normal;
    }

    Value make_loop(const std::vector<Value>& items, size_t i) {
        const auto n = static_cast<int64_t>(items.size());
        const auto index = static_cast<int64_t>(i);
        auto loop = make_dict(DictObject::Kind::Loop);
        loop->set("index0", index);
        loop->set("index", index + 1);
        loop->set("revindex0", n - index - 1);
        loop->set("revindex", n - index);
        loop->set("first", index == 0);
        loop->set("last", index == n - 1);
        loop->set("length", n);
        loop->set("depth0", 0);
        loop->set("depth", 1);
        loop->set("previtem", i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
        loop->set("nextitem",
                  index + 1 < n ? items[i + 1] : Value::undefined("there is no next item"));
        loop->set("cycle", make_function("cycle", [index](Arguments& args) {
                      if (args.positional.empty()) throw EvalError("no items for cycling given");
                      return args.positional[static_cast<size_t>(index) % args.positional.size()];
                  }));
        return loop;
    }

    Flow exec_node(const SetStmt& s, const Stmt&, const FramePtr& frame, std::string&) {
        Value value = eval(*s.value, frame);
        if (!s.target.attribute.empty()) {
            const Value* ns = frame->find(s.target.names[0]);
            if (!ns || !ns->is_namespace()) {
                throw EvalError("cannot assign attribute on non-namespace object");
            }
            ns->as_dict().set(s.target.attribute, std::move(value));
        } else {
            assign(*frame, s.target, value);
        }
        return Flow::Normal;
    }

    Flow exec_node(const SetBlockStmt& s, const Stmt&, const FramePtr& frame, std::string&) {
        std::string text;
        exec_body(s.body, frame, text);
        Value value = s.filter ? eval_block_filter(*s.filter, frame, Value(std::move(text)))
                               : Value(std::move(text));
        if (!s.target.attribute.empty()) {
            const Value* ns = frame->find(s.target.names[0]);
            if (!ns || !ns->is_namespace()) {
                throw EvalError("cannot assign attribute on non-namespace object");
            }
            ns->as_dict().set(s.target.attribute, std::move(value));
        } else {
            assign(*frame, s.target, value);
        }
        return Flow::Normal;
    }

    Flow exec_node(const MacroStmt& s, const Stmt&, const FramePtr& frame, std::string&) {
        // The macro holds its scope weakly: a scope owns its macros, never the reverse.
        std::weak_ptr<Frame> scope = frame;
        const MacroStmt* macro = &s;
        frame->set(s.name, make_function(s.name, [this, macro, scope](Arguments& args) {
                       return call_macro(*macro, scope, args);
                   }));
        return Flow::Normal;
    }

    Flow exec_node(const LoopControlStmt& s, const Stmt&, const FramePtr&, std::string&) {
        return s.is_break ? Flow::Break : Flow::Continue;
    }

    Flow exec_node(const FilterBlockStmt& s, const Stmt&, const FramePtr& frame, std::string& out) {
        std::string text;
        const Flow flow = exec_body(s.body, frame, text);
        append(out, text_of(eval_block_filter(*s.filter, frame, Value(std::move(text)))));
        return flow;
    }

    Flow exec_node(const WithStmt& s, const Stmt&, const FramePtr& frame, std::string& out) {
        auto scope = std::make_shared<Frame>(frame);
        for (const auto& [target, value] : s.assignments)
            assign(*scope, target, eval(*value, frame));
        return exec_body(s.body, scope, out);
    }

    void assign(Frame& frame, const AssignTarget& target, const Value& value) {
        if (target.names.size() == 1) {
            frame.set(target.names[0], value);
            return;
        }
        const std::vector<Value> parts = iterate(value, budget_);
        if (parts.size() != target.names.size()) {
            throw EvalError(
                std::string(parts.size() > target.names.size() ? "too many" : "not enough") +
                " values to unpack (expected " + std::to_string(target.names.size()) + ", got " +
                std::to_string(parts.size()) + ")");
        }
        for (size_t i = 0; i < parts.size(); ++i) frame.set(target.names[i], parts[i]);
    }

    Value call_macro(const MacroStmt& m, const std::weak_ptr<Frame>& scope, Arguments& args) {
        FramePtr parent = scope.lock();
        if (!parent) throw EvalError("macro '" + m.name + "' called after its scope ended");
        if (call_depth_ >= budget_.limits().max_call_depth) {
            throw EvalError("macro calls nested deeper than " +
                            std::to_string(budget_.limits().max_call_depth) + " levels");
        }
        auto frame = std::make_shared<Frame>(parent);
        std::vector<bool> bound(m.params.size(), false);
        std::vector<Value> varargs;
        for (size_t i = 0; i < args.positional.size(); ++i) {
            if (i < m.params.size()) {
                frame->set(m.params[i], args.positional[i]);
                bound[i] = true;
            } else {
                varargs.push_back(args.positional[i]);
            }
        }
        auto kwargs = make_dict();
        for (auto& [name, value] : args.named) {
            const auto it = std::find(m.params.begin(), m.params.end(), name);
            if (it == m.params.end()) {
                kwargs->set(name, value);
                continue;
            }
            const auto i = static_cast<size_t>(it - m.params.begin());
            if (bound[i]) {
                throw EvalError("macro '" + m.name + "' got multiple values for argument '" + name +
                                "'");
            }
            frame->set(name, value);
            bound[i] = true;
        }
        for (size_t i = 0; i < m.params.size(); ++i) {
            if (bound[i]) continue;
            frame->set(m.params[i], m.defaults[i] ? eval(*m.defaults[i], frame)
                                                  : Value::undefined("parameter '" + m.params[i] +
                                                                     "' was not provided"));
        }
        frame->set("varargs", Value::list(std::move(varargs), true));
        frame->set("kwargs", Value(kwargs));
        ++call_depth_;
        std::string out;
        try {
            exec_body(m.body, frame, out);
        } catch (...) {
            --call_depth_;
            throw;
        }
        --call_depth_;
        return out;
    }

    // A filter chain of {% set x | f %} or {% filter f %}: its innermost operand is `input`.
    Value eval_block_filter(const Expr& chain, const FramePtr& frame, Value input) {
        const Value* saved = block_input_;
        block_input_ = &input;
        Value result;
        try {
            result = eval(chain, frame);
        } catch (...) {
            block_input_ = saved;
            throw;
        }
        block_input_ = saved;
        return result;
    }

    // ---- expressions ------------------------------------------------------------------------

    Value eval(const Expr& e, const FramePtr& frame) {
        DepthGuard guard(*this, e.offset);
        try {
            budget_.step();
            return std::visit([&](const auto& node) { return eval_node(node, frame); }, e.node);
        } catch (const EvalError& err) {
            fail(e.offset, err);
        } catch (const TemplateError&) {
            throw;
        } catch (const std::exception& err) {
            fail(e.offset, internal_error(err));
        }
    }

    Arguments eval_args(const CallArgs& args, const FramePtr& frame) {
        Arguments out;
        out.positional.reserve(args.positional.size());
        for (const auto& a : args.positional) out.positional.push_back(eval(*a, frame));
        for (const auto& [name, a] : args.named) out.named.emplace_back(name, eval(*a, frame));
        return out;
    }

    Value eval_node(const LiteralExpr& n, const FramePtr&) { return n.value; }

    Value eval_node(const NameExpr& n, const FramePtr& frame) {
        if (const Value* v = frame->find(n.name)) return *v;
        return Value::undefined("'" + n.name + "' is undefined");
    }

    Value eval_node(const ListExpr& n, const FramePtr& frame) {
        std::vector<Value> items;
        items.reserve(n.items.size());
        for (const auto& item : n.items) items.push_back(eval(*item, frame));
        return Value::list(std::move(items), n.is_tuple);
    }

    Value eval_node(const DictExpr& n, const FramePtr& frame) {
        auto dict = make_dict();
        for (const auto& [key_expr, value_expr] : n.entries) {
            const Value key = eval(*key_expr, frame);
            if (!key.is_string()) {
                throw EvalError("dict keys must be strings, not " + key.type_name());
            }
            dict->set(key.as_string(), eval(*value_expr, frame));
        }
        return dict;
    }

    Value eval_node(const AttrExpr& n, const FramePtr& frame) {
        return get_attribute(eval(*n.object, frame), n.name, budget_);
    }

    Value eval_node(const ItemExpr& n, const FramePtr& frame) {
        const Value object = eval(*n.object, frame);
        return get_item(object, eval(*n.key, frame), budget_);
    }

    Value eval_node(const SliceExpr& n, const FramePtr& frame) {
        const Value object = eval(*n.object, frame);
        const Value start = n.start ? eval(*n.start, frame) : Value(nullptr);
        const Value stop = n.stop ? eval(*n.stop, frame) : Value(nullptr);
        const Value step = n.step ? eval(*n.step, frame) : Value(nullptr);
        return get_slice(object, start, stop, step, budget_);
    }

    Value eval_node(const CallExpr& n, const FramePtr& frame) {
        const Value callee = eval(*n.callee, frame);
        if (callee.is_undefined()) throw EvalError(callee.as_undefined().hint);
        if (!callee.is_function()) {
            throw EvalError("'" + callee.type_name() + "' object is not callable");
        }
        Arguments args = eval_args(n.args, frame);
        // Keep the function alive while it runs, whatever the call does to the variable.
        const Value keep = callee;
        return keep.as_function().call(args);
    }

    Value eval_node(const FilterExpr& n, const FramePtr& frame) {
        Value operand;
        if (n.operand) {
            operand = eval(*n.operand, frame);
        } else if (block_input_) {
            operand = *block_input_;
        }
        const Arguments args = eval_args(n.args, frame);
        return apply_filter(n.name, operand, args, budget_);
    }

    Value eval_node(const TestExpr& n, const FramePtr& frame) {
        const Value operand = eval(*n.operand, frame);
        const Arguments args = eval_args(n.args, frame);
        return apply_test(n.name, operand, args) != n.negated;
    }

    Value eval_node(const NegateExpr& n, const FramePtr& frame) {
        return negate(eval(*n.operand, frame), n.plus);
    }

    Value eval_node(const NotExpr& n, const FramePtr& frame) {
        return !eval(*n.operand, frame).truthy();
    }

    Value eval_node(const BinaryExpr& n, const FramePtr& frame) {
        const Value left = eval(*n.left, frame);
        const Value right = eval(*n.right, frame);
        return binary_op(n.op, left, right, budget_);
    }

    Value eval_node(const ConcatExpr& n, const FramePtr& frame) {
        std::string out;
        for (const auto& part : n.parts) {
            const Value v = eval(*part, frame);
            out += v.is_string() ? v.as_string() : text_of(v);
            budget_.build(out.size());
        }
        return out;
    }

    bool compare(CompareOp op, const Value& a, const Value& b) {
        switch (op) {
            case CompareOp::Eq:
            case CompareOp::Ne:
                budget_.step(std::min(a.weight(), b.weight()));
                return equals(a, b) == (op == CompareOp::Eq);
            case CompareOp::In:
            case CompareOp::NotIn:
                budget_.walk(b);
                return contains(b, a) == (op == CompareOp::In);
            default:
                break;
        }
        if (a.is_undefined()) throw EvalError(a.as_undefined().hint);
        if (b.is_undefined()) throw EvalError(b.as_undefined().hint);
        budget_.step(std::min(a.weight(), b.weight()));
        switch (op) {
            case CompareOp::Lt:
                return less_than(a, b);
            case CompareOp::Gt:
                return less_than(b, a);
            case CompareOp::Le:
                return less_than(a, b) || equals(a, b);
            default:
                return less_than(b, a) || equals(a, b);
        }
    }

    Value eval_node(const CompareExpr& n, const FramePtr& frame) {
        Value left = eval(*n.first, frame);
        for (const auto& [op, expr] : n.rest) {
            Value right = eval(*expr, frame);
            if (!compare(op, left, right)) return false;
            left = std::move(right);
        }
        return true;
    }

    Value eval_node(const LogicalExpr& n, const FramePtr& frame) {
        Value left = eval(*n.left, frame);
        if (left.truthy() != n.is_and) return left;
        return eval(*n.right, frame);
    }

    Value eval_node(const ConditionalExpr& n, const FramePtr& frame) {
        if (eval(*n.condition, frame).truthy()) return eval(*n.then, frame);
        if (n.otherwise) return eval(*n.otherwise, frame);
        return Value::undefined(
            "the inline if-expression evaluated to false and no else section was defined");
    }

    std::string_view source_;
    Budget budget_;
    int depth_ = 0;
    int call_depth_ = 0;
    const Value* block_input_ = nullptr;
};

}  // namespace

std::string render_template(std::string_view source, const Body& body,
                            std::vector<std::pair<std::string, Value>> variables,
                            const RenderLimits& limits) {
    Interpreter interpreter(source, limits);
    auto globals = std::make_shared<Frame>(nullptr);
    for (auto& [name, value] : make_globals(interpreter.budget())) globals->set(name, value);
    auto context = std::make_shared<Frame>(globals);
    for (auto& [name, value] : variables) context->set(name, std::move(value));
    return interpreter.run(body, context);
}

}  // namespace qe::jinja
