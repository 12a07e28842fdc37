#include "jinja/jinja_parser.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "jinja/jinja_error.h"
#include "jinja/jinja_lexer.h"

namespace qe::jinja {

namespace {

template <typename Node>
ExprPtr make_expr(uint32_t offset, Node node) {
    auto e = std::make_unique<Expr>();
    e->offset = offset;
    e->node = std::move(node);
    return e;
}

template <typename Node>
StmtPtr make_stmt(uint32_t offset, Node node) {
    auto s = std::make_unique<Stmt>();
    s->offset = offset;
    s->node = std::move(node);
    return s;
}

class Parser {
  public:
    Parser(std::string_view source, std::vector<Token> tokens)
        : src_(source), tokens_(std::move(tokens)) {}

    Body parse() {
        Body body = parse_body({});
        if (current().kind != TokenKind::End) {
            fail(current().offset, "unexpected '" + current().text + "'");
        }
        return body;
    }

  private:
    // Counts nesting on the way down so hostile input fails cleanly instead of overflowing.
    class DepthGuard {
      public:
        explicit DepthGuard(Parser& p) : p_(p) {
            if (++p_.depth_ > kMaxParseDepth) {
                p_.fail(p_.current().offset, "template nested deeper than " +
                                                 std::to_string(kMaxParseDepth) + " levels");
            }
        }
        ~DepthGuard() { --p_.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

      private:
        Parser& p_;
    };

    [[noreturn]] void fail(uint32_t offset, const std::string& msg) const {
        throw_syntax_error(src_, offset, msg);
    }

    const Token& current() const { return tokens_[pos_]; }
    const Token& peek(size_t ahead = 1) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const Token& advance() {
        const Token& t = tokens_[pos_];
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return t;
    }

    bool is_op(std::string_view op) const {
        return current().kind == TokenKind::Operator && current().text == op;
    }
    bool is_name(std::string_view name) const {
        return current().kind == TokenKind::Name && current().text == name;
    }
    bool skip_op(std::string_view op) {
        if (!is_op(op)) return false;
        advance();
        return true;
    }
    bool skip_name(std::string_view name) {
        if (!is_name(name)) return false;
        advance();
        return true;
    }

    static std::string describe(const Token& t) {
        switch (t.kind) {
            case TokenKind::End:
                return "end of template";
            case TokenKind::BlockEnd:
                return "end of statement block";
            case TokenKind::PrintEnd:
                return "end of print statement";
            case TokenKind::String:
                return "string";
            default:
                return "'" + t.text + "'";
        }
    }

    void expect_op(std::string_view op) {
        if (!skip_op(op)) {
            fail(current().offset,
                 "expected '" + std::string(op) + "', got " + describe(current()));
        }
    }
    std::string expect_name() {
        if (current().kind != TokenKind::Name) {
            fail(current().offset, "expected a name, got " + describe(current()));
        }
        return advance().text;
    }
    void expect_block_end() {
        if (current().kind != TokenKind::BlockEnd) {
            fail(current().offset, "expected end of statement block, got " + describe(current()));
        }
        advance();
    }

    // ---- statements -------------------------------------------------------------------------

    // Parses until a `{% name %}` with name in `ends` (left unconsumed, positioned at the name)
    // or the end of the template when `ends` is empty.
    Body parse_body(std::initializer_list<std::string_view> ends) {
        DepthGuard guard(*this);
        Body body;
        while (true) {
            const Token& t = current();
            if (t.kind == TokenKind::End) {
                if (ends.size() != 0) {
                    std::string expected;
                    for (std::string_view end : ends) {
                        expected += expected.empty() ? "'" : " or '";
                        expected += end;
                        expected += "'";
                    }
                    fail(t.offset, "unexpected end of template, expected " + expected);
                }
                return body;
            }
            if (t.kind == TokenKind::Text) {
                body.push_back(make_stmt(t.offset, TextStmt{t.text}));
                advance();
            } else if (t.kind == TokenKind::PrintBegin) {
                const uint32_t offset = advance().offset;
                ExprPtr value = parse_tuple(true, false);
                if (current().kind != TokenKind::PrintEnd) {
                    fail(current().offset,
                         "expected end of print statement, got " + describe(current()));
                }
                advance();
                body.push_back(make_stmt(offset, PrintStmt{std::move(value)}));
            } else if (t.kind == TokenKind::BlockBegin) {
                const Token& name = peek();
                for (std::string_view end : ends) {
                    if (name.kind == TokenKind::Name && name.text == end) {
                        advance();
                        return body;
                    }
                }
                advance();
                body.push_back(parse_statement());
            } else {
                fail(t.offset, "unexpected " + describe(t));
            }
        }
    }

    // The tag name is the current token; consumes through the statement's closing tag.
    StmtPtr parse_statement() {
        const Token& tag = current();
        if (tag.kind != TokenKind::Name) fail(tag.offset, "expected a statement name");
        const std::string name = tag.text;
        const uint32_t offset = tag.offset;
        advance();
        if (name == "if") return parse_if(offset);
        if (name == "for") return parse_for(offset);
        if (name == "set") return parse_set(offset);
        if (name == "macro") return parse_macro(offset);
        if (name == "filter") return parse_filter_block(offset);
        if (name == "with") return parse_with(offset);
        if (name == "generation") return parse_generation(offset);
        if (name == "break" || name == "continue") {
            if (loop_depth_ == 0) fail(offset, "'" + name + "' outside of a loop");
            expect_block_end();
            return make_stmt(offset, LoopControlStmt{name == "break"});
        }
        if (name.rfind("end", 0) == 0 || name == "elif" || name == "else") {
            fail(offset, "unexpected '" + name + "'");
        }
        fail(offset, "unsupported statement '" + name + "'");
    }

    // Consumes `endX %}` after parse_body stopped at it.
    void finish_block(std::string_view end_name) {
        if (!skip_name(end_name))
            fail(current().offset, "expected '" + std::string(end_name) + "'");
        expect_block_end();
    }

    StmtPtr parse_if(uint32_t offset) {
        IfStmt node;
        while (true) {
            ExprPtr condition = parse_tuple(false, false);
            expect_block_end();
            Body body = parse_body({"elif", "else", "endif"});
            node.branches.emplace_back(std::move(condition), std::move(body));
            if (skip_name("elif")) continue;
            if (skip_name("else")) {
                expect_block_end();
                node.otherwise = parse_body({"endif"});
            }
            finish_block("endif");
            return make_stmt(offset, std::move(node));
        }
    }

    StmtPtr parse_for(uint32_t offset) {
        ForStmt node;
        node.target = parse_assign_target(false);
        if (!skip_name("in")) fail(current().offset, "expected 'in', got " + describe(current()));
        node.iterable = parse_tuple(false, false, "recursive");
        if (skip_name("if")) node.filter = parse_expression(true);
        if (is_name("recursive")) fail(current().offset, "recursive loops are not supported");
        expect_block_end();
        ++loop_depth_;
        const int loop_mentions = loop_mentions_;
        node.body = parse_body({"endfor", "else"});
        node.uses_loop = loop_mentions_ != loop_mentions;
        --loop_depth_;
        if (skip_name("else")) {
            expect_block_end();
            node.otherwise = parse_body({"endfor"});
        }
        finish_block("endfor");
        return make_stmt(offset, std::move(node));
    }

    StmtPtr parse_set(uint32_t offset) {
        AssignTarget target = parse_assign_target(true);
        if (skip_op("=")) {
            ExprPtr value = parse_tuple(true, false);
            expect_block_end();
            return make_stmt(offset, SetStmt{std::move(target), std::move(value)});
        }
        SetBlockStmt node;
        node.target = std::move(target);
        if (is_op("|")) node.filter = parse_filter_chain(nullptr);
        expect_block_end();
        node.body = parse_body({"endset"});
        finish_block("endset");
        return make_stmt(offset, std::move(node));
    }

    StmtPtr parse_macro(uint32_t offset) {
        MacroStmt node;
        node.name = expect_name();
        expect_op("(");
        while (!is_op(")")) {
            if (!node.params.empty()) expect_op(",");
            if (is_op(")")) break;  // trailing comma
            node.params.push_back(expect_name());
            node.defaults.push_back(skip_op("=") ? parse_expression(true) : nullptr);
        }
        expect_op(")");
        expect_block_end();
        const int saved_loops = loop_depth_;
        loop_depth_ = 0;  // break/continue don't cross a macro boundary
        node.body = parse_body({"endmacro"});
        loop_depth_ = saved_loops;
        advance();                                         // 'endmacro'
        if (current().kind == TokenKind::Name) advance();  // {% endmacro name %}
        expect_block_end();
        return make_stmt(offset, std::move(node));
    }

    StmtPtr parse_filter_block(uint32_t offset) {
        FilterBlockStmt node;
        node.filter = parse_filter_chain(nullptr, /*leading_pipe=*/false);
        expect_block_end();
        node.body = parse_body({"endfilter"});
        finish_block("endfilter");
        return make_stmt(offset, std::move(node));
    }

    StmtPtr parse_with(uint32_t offset) {
        WithStmt node;
        while (current().kind != TokenKind::BlockEnd) {
            if (!node.assignments.empty()) expect_op(",");
            AssignTarget target = parse_assign_target(false);
            expect_op("=");
            node.assignments.emplace_back(std::move(target), parse_expression(true));
        }
        expect_block_end();
        node.body = parse_body({"endwith"});
        finish_block("endwith");
        return make_stmt(offset, std::move(node));
    }

    // transformers' {% generation %} marks assistant text for its masks; it renders as its body.
    StmtPtr parse_generation(uint32_t offset) {
        expect_block_end();
        WithStmt node;
        node.body = parse_body({"endgeneration"});
        finish_block("endgeneration");
        return make_stmt(offset, std::move(node));
    }

    AssignTarget parse_assign_target(bool allow_namespace) {
        AssignTarget target;
        const uint32_t offset = current().offset;
        target.names.push_back(expect_name());
        if (allow_namespace && skip_op(".")) {
            target.attribute = expect_name();
            return target;
        }
        while (skip_op(",")) {
            if (current().kind != TokenKind::Name || is_name("in")) break;  // trailing comma
            target.names.push_back(expect_name());
        }
        for (const auto& n : target.names) {
            if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" ||
                n == "None") {
                fail(offset, "can't assign to '" + n + "'");
            }
        }
        return target;
    }

    // ---- expressions ------------------------------------------------------------------------

    bool at_tuple_end(std::string_view extra_end) const {
        const Token& t = current();
        if (t.kind == TokenKind::PrintEnd || t.kind == TokenKind::BlockEnd ||
            t.kind == TokenKind::End) {
            return true;
        }
        if (t.kind == TokenKind::Operator && t.text == ")") return true;
        return !extra_end.empty() && t.kind == TokenKind::Name && t.text == extra_end;
    }

    // Comma-separated expressions: one yields itself, several a tuple.
    ExprPtr parse_tuple(bool with_conditional, bool explicit_parentheses,
                        std::string_view extra_end = {}) {
        const uint32_t offset = current().offset;
        std::vector<ExprPtr> items;
        bool is_tuple = false;
        while (true) {
            if (!items.empty()) expect_op(",");
            if (at_tuple_end(extra_end)) break;
            items.push_back(parse_expression(with_conditional));
            if (is_op(",")) {
                is_tuple = true;
            } else {
                break;
            }
        }
        if (!is_tuple) {
            if (!items.empty()) return std::move(items[0]);
            if (!explicit_parentheses) {
                fail(current().offset, "expected an expression, got " + describe(current()));
            }
        }
        return make_expr(offset, ListExpr{std::move(items), true});
    }

    ExprPtr parse_expression(bool with_conditional) {
        DepthGuard guard(*this);
        return with_conditional ? parse_conditional() : parse_or();
    }

    ExprPtr parse_conditional() {
        ExprPtr expr = parse_or();
        while (is_name("if")) {
            const uint32_t offset = advance().offset;
            ExprPtr condition = parse_or();
            ExprPtr otherwise = skip_name("else") ? parse_conditional() : nullptr;
            expr = make_expr(offset, ConditionalExpr{std::move(condition), std::move(expr),
                                                     std::move(otherwise)});
        }
        return expr;
    }

    ExprPtr parse_or() {
        ExprPtr left = parse_and();
        while (is_name("or")) {
            const uint32_t offset = advance().offset;
            left = make_expr(offset, LogicalExpr{false, std::move(left), parse_and()});
        }
        return left;
    }

    ExprPtr parse_and() {
        ExprPtr left = parse_not();
        while (is_name("and")) {
            const uint32_t offset = advance().offset;
            left = make_expr(offset, LogicalExpr{true, std::move(left), parse_not()});
        }
        return left;
    }

    ExprPtr parse_not() {
        if (is_name("not")) {
            DepthGuard guard(*this);
            const uint32_t offset = advance().offset;
            return make_expr(offset, NotExpr{parse_not()});
        }
        return parse_compare();
    }

    ExprPtr parse_compare() {
        const uint32_t offset = current().offset;
        ExprPtr first = parse_math1();
        std::vector<std::pair<CompareOp, ExprPtr>> rest;
        while (true) {
            std::optional<CompareOp> op;
            if (current().kind == TokenKind::Operator) {
                const std::string& t = current().text;
                if (t == "==") op = CompareOp::Eq;
                if (t == "!=") op = CompareOp::Ne;
                if (t == "<") op = CompareOp::Lt;
                if (t == "<=") op = CompareOp::Le;
                if (t == ">") op = CompareOp::Gt;
                if (t == ">=") op = CompareOp::Ge;
                if (op) advance();
            } else if (is_name("in")) {
                advance();
                op = CompareOp::In;
            } else if (is_name("not") && peek().kind == TokenKind::Name && peek().text == "in") {
                advance();
                advance();
                op = CompareOp::NotIn;
            }
            if (!op) break;
            rest.emplace_back(*op, parse_math1());
        }
        if (rest.empty()) return first;
        return make_expr(offset, CompareExpr{std::move(first), std::move(rest)});
    }

    ExprPtr parse_math1() {
        ExprPtr left = parse_concat();
        while (is_op("+") || is_op("-")) {
            const Token& t = advance();
            const BinaryOp op = t.text == "+" ? BinaryOp::Add : BinaryOp::Sub;
            left = make_expr(t.offset, BinaryExpr{op, std::move(left), parse_concat()});
        }
        return left;
    }

    ExprPtr parse_concat() {
        const uint32_t offset = current().offset;
        ExprPtr first = parse_math2();
        if (!is_op("~")) return first;
        std::vector<ExprPtr> parts;
        parts.push_back(std::move(first));
        while (skip_op("~")) parts.push_back(parse_math2());
        return make_expr(offset, ConcatExpr{std::move(parts)});
    }

    ExprPtr parse_math2() {
        ExprPtr left = parse_pow();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            const Token& t = advance();
            const BinaryOp op = t.text == "*"    ? BinaryOp::Mul
                                : t.text == "/"  ? BinaryOp::Div
                                : t.text == "//" ? BinaryOp::FloorDiv
                                                 : BinaryOp::Mod;
            left = make_expr(t.offset, BinaryExpr{op, std::move(left), parse_pow()});
        }
        return left;
    }

    ExprPtr parse_pow() {
        ExprPtr left = parse_unary(true);
        while (is_op("**")) {
            const uint32_t offset = advance().offset;
            left = make_expr(offset, BinaryExpr{BinaryOp::Pow, std::move(left), parse_unary(true)});
        }
        return left;
    }

    ExprPtr parse_unary(bool with_filter) {
        DepthGuard guard(*this);
        ExprPtr node;
        const uint32_t offset = current().offset;
        if (is_op("-") || is_op("+")) {
            const bool plus = advance().text == "+";
            node = make_expr(offset, NegateExpr{parse_unary(false), plus});
        } else {
            node = parse_primary();
        }
        node = parse_postfix(std::move(node));
        if (with_filter) node = parse_filter_expr(std::move(node));
        return node;
    }

    ExprPtr parse_primary() {
        const Token& t = current();
        const uint32_t offset = t.offset;
        switch (t.kind) {
            case TokenKind::Name: {
                const std::string name = advance().text;
                if (name == "true" || name == "True") return make_expr(offset, LiteralExpr{true});
                if (name == "false" || name == "False")
                    return make_expr(offset, LiteralExpr{false});
                if (name == "none" || name == "None")
                    return make_expr(offset, LiteralExpr{nullptr});
                if (name == "loop") ++loop_mentions_;
                return make_expr(offset, NameExpr{name});
            }
            case TokenKind::String: {
                std::string value = advance().text;
                while (current().kind == TokenKind::String) value += advance().text;
                return make_expr(offset, LiteralExpr{std::move(value)});
            }
            case TokenKind::Integer:
                return make_expr(offset, LiteralExpr{advance().integer});
            case TokenKind::Float:
                return make_expr(offset, LiteralExpr{advance().number});
            case TokenKind::Operator:
                if (t.text == "(") {
                    advance();
                    ExprPtr inner = parse_tuple(true, true);
                    expect_op(")");
                    return inner;
                }
                if (t.text == "[") return parse_list();
                if (t.text == "{") return parse_dict();
                break;
            default:
                break;
        }
        fail(offset, "unexpected " + describe(t));
    }

    ExprPtr parse_list() {
        const uint32_t offset = advance().offset;
        ListExpr node;
        while (!is_op("]")) {
            if (!node.items.empty()) expect_op(",");
            if (is_op("]")) break;
            node.items.push_back(parse_expression(true));
        }
        expect_op("]");
        return make_expr(offset, std::move(node));
    }

    ExprPtr parse_dict() {
        const uint32_t offset = advance().offset;
        DictExpr node;
        while (!is_op("}")) {
            if (!node.entries.empty()) expect_op(",");
            if (is_op("}")) break;
            ExprPtr key = parse_expression(true);
            expect_op(":");
            node.entries.emplace_back(std::move(key), parse_expression(true));
        }
        expect_op("}");
        return make_expr(offset, std::move(node));
    }

    ExprPtr parse_postfix(ExprPtr node) {
        while (true) {
            if (is_op(".") || is_op("[")) {
                node = parse_subscript(std::move(node));
            } else if (is_op("(")) {
                node = parse_call(std::move(node));
            } else {
                return node;
            }
        }
    }

    ExprPtr parse_filter_expr(ExprPtr node) {
        while (true) {
            if (is_op("|")) {
                node = parse_filter_chain(std::move(node));
            } else if (is_name("is")) {
                node = parse_test(std::move(node));
            } else if (is_op("(")) {
                node = parse_call(std::move(node));
            } else {
                return node;
            }
        }
    }

    ExprPtr parse_subscript(ExprPtr object) {
        const Token& t = advance();
        const uint32_t offset = t.offset;
        if (t.text == ".") {
            const Token& attr = current();
            if (attr.kind == TokenKind::Name) {
                return make_expr(offset, AttrExpr{std::move(object), advance().text});
            }
            if (attr.kind == TokenKind::Integer) {
                ExprPtr key = make_expr(attr.offset, LiteralExpr{advance().integer});
                return make_expr(offset, ItemExpr{std::move(object), std::move(key)});
            }
            fail(attr.offset, "expected a name or number after '.'");
        }
        // '[': a subscript, a tuple of subscripts, or a slice
        ExprPtr first;
        if (!is_op(":")) {
            first = parse_expression(true);
            if (!is_op(":")) {
                if (is_op(",")) {
                    std::vector<ExprPtr> keys;
                    keys.push_back(std::move(first));
                    while (skip_op(",") && !is_op("]")) keys.push_back(parse_expression(true));
                    first = make_expr(offset, ListExpr{std::move(keys), true});
                }
                expect_op("]");
                return make_expr(offset, ItemExpr{std::move(object), std::move(first)});
            }
        }
        advance();  // ':'
        SliceExpr slice;
        slice.object = std::move(object);
        slice.start = std::move(first);
        if (!is_op(":") && !is_op("]")) slice.stop = parse_expression(true);
        if (skip_op(":") && !is_op("]")) slice.step = parse_expression(true);
        expect_op("]");
        return make_expr(offset, std::move(slice));
    }

    CallArgs parse_call_args() {
        expect_op("(");
        CallArgs args;
        while (!is_op(")")) {
            if (!args.positional.empty() || !args.named.empty()) {
                expect_op(",");
                if (is_op(")")) break;
            }
            if (is_op("*") || is_op("**")) {
                fail(current().offset, "*args and **kwargs in calls are not supported");
            }
            if (current().kind == TokenKind::Name && peek().kind == TokenKind::Operator &&
                peek().text == "=") {
                std::string key = advance().text;
                advance();
                args.named.emplace_back(std::move(key), parse_expression(true));
            } else {
                if (!args.named.empty()) {
                    fail(current().offset, "positional argument after keyword argument");
                }
                args.positional.push_back(parse_expression(true));
            }
        }
        expect_op(")");
        return args;
    }

    ExprPtr parse_call(ExprPtr callee) {
        DepthGuard guard(*this);
        const uint32_t offset = current().offset;
        CallArgs args = parse_call_args();
        return make_expr(offset, CallExpr{std::move(callee), std::move(args)});
    }

    std::string parse_dotted_name() {
        std::string name = expect_name();
        while (skip_op(".")) {
            name += '.';
            name += expect_name();
        }
        return name;
    }

    // `| f(args) | g ...` applied to `operand` (null for block filters: the body text).
    ExprPtr parse_filter_chain(ExprPtr operand, bool leading_pipe = true) {
        DepthGuard guard(*this);
        bool first = true;
        while (is_op("|") || (first && !leading_pipe)) {
            if (!first || leading_pipe) advance();
            first = false;
            const uint32_t offset = current().offset;
            FilterExpr f;
            f.name = parse_dotted_name();
            if (is_op("(")) f.args = parse_call_args();
            f.operand = std::move(operand);
            operand = make_expr(offset, std::move(f));
        }
        return operand;
    }

    ExprPtr parse_test(ExprPtr operand) {
        DepthGuard guard(*this);
        advance();  // 'is'
        TestExpr test;
        test.negated = skip_name("not");
        const uint32_t offset = current().offset;
        test.name = parse_dotted_name();
        const Token& t = current();
        if (is_op("(")) {
            test.args = parse_call_args();
        } else if ((t.kind == TokenKind::Name || t.kind == TokenKind::String ||
                    t.kind == TokenKind::Integer || t.kind == TokenKind::Float || is_op("[") ||
                    is_op("{")) &&
                   !is_name("else") && !is_name("or") && !is_name("and")) {
            if (is_name("is")) fail(t.offset, "you cannot chain multiple tests with is");
            test.args.positional.push_back(parse_postfix(parse_primary()));
        }
        test.operand = std::move(operand);
        return make_expr(offset, std::move(test));
    }

    std::string_view src_;
    std::vector<Token> tokens_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loop_depth_ = 0;
    int loop_mentions_ = 0;  // NameExpr "loop" seen so far
};

}  // namespace

Body parse_template(std::string_view normalized_source) {
    return Parser(normalized_source, lex_template(normalized_source)).parse();
}

}  // namespace qe::jinja
