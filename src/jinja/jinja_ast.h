// The syntax tree of a parsed template: expressions and statements, each with the byte offset of
// its first token (for error positions). Built by jinja_parser, walked by jinja_render.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "jinja/jinja_value.h"

namespace qe::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// Arguments written in a call: f(a, b, key=c).
struct CallArgs {
    std::vector<ExprPtr> positional;
    std::vector<std::pair<std::string, ExprPtr>> named;
};

enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, Mod, Pow };
enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };

struct LiteralExpr {
    Value value;
};
struct NameExpr {
    std::string name;
};
struct ListExpr {
    std::vector<ExprPtr> items;
    bool is_tuple = false;
};
struct DictExpr {
    std::vector<std::pair<ExprPtr, ExprPtr>> entries;  // key, value
};
struct AttrExpr {  // object.name
    ExprPtr object;
    std::string name;
};
struct ItemExpr {  // object[key]
    ExprPtr object;
    ExprPtr key;
};
struct SliceExpr {  // object[start:stop:step], each part optional
    ExprPtr object, start, stop, step;
};
struct CallExpr {
    ExprPtr callee;
    CallArgs args;
};
struct FilterExpr {  // operand | name(args)
    ExprPtr operand;
    std::string name;
    CallArgs args;
};
struct TestExpr {  // operand is [not] name(args)
    ExprPtr operand;
    std::string name;
    CallArgs args;
    bool negated = false;
};
struct NegateExpr {  // -operand, or +operand when `plus`
    ExprPtr operand;
    bool plus = false;
};
struct NotExpr {
    ExprPtr operand;
};
struct BinaryExpr {
    BinaryOp op;
    ExprPtr left, right;
};
struct ConcatExpr {  // a ~ b ~ c
    std::vector<ExprPtr> parts;
};
struct CompareExpr {  // first op1 x op2 y ... (chained like Python)
    ExprPtr first;
    std::vector<std::pair<CompareOp, ExprPtr>> rest;
};
struct LogicalExpr {  // a and b / a or b: yields an operand, like Python
    bool is_and = false;
    ExprPtr left, right;
};
struct ConditionalExpr {  // then if condition else otherwise (otherwise may be absent)
    ExprPtr condition, then, otherwise;
};

struct Expr {
    uint32_t offset = 0;
    std::variant<LiteralExpr, NameExpr, ListExpr, DictExpr, AttrExpr, ItemExpr, SliceExpr, CallExpr,
                 FilterExpr, TestExpr, NegateExpr, NotExpr, BinaryExpr, ConcatExpr, CompareExpr,
                 LogicalExpr, ConditionalExpr>
        node;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

// Where a value is stored: one name, several names (unpacking) or a namespace attribute.
struct AssignTarget {
    std::vector<std::string> names;  // one, or several for `a, b = ...`
    std::string attribute;           // set: `ns.attribute = ...` (names holds "ns")
};

struct TextStmt {
    std::string text;
};
struct PrintStmt {
    ExprPtr value;
};
struct IfStmt {
    std::vector<std::pair<ExprPtr, Body>> branches;  // if / elif ...
    Body otherwise;
};
struct ForStmt {
    AssignTarget target;
    ExprPtr iterable;
    ExprPtr filter;  // `for x in xs if cond`; may be absent
    Body body;
    Body otherwise;         // runs when nothing was iterated
    bool uses_loop = true;  // the body mentions `loop`; when not, it isn't built per iteration
};
struct SetStmt {
    AssignTarget target;
    ExprPtr value;
};
struct SetBlockStmt {  // {% set x %}...{% endset %}, optionally `| filters` applied
    AssignTarget target;
    Body body;
    ExprPtr filter;  // a FilterExpr chain whose innermost operand is null (the body text)
};
struct MacroStmt {
    std::string name;
    std::vector<std::string> params;
    std::vector<ExprPtr> defaults;  // aligned with params; null where there is none
    Body body;
};
struct LoopControlStmt {
    bool is_break = false;
};
struct FilterBlockStmt {  // {% filter f %}...{% endfilter %}
    ExprPtr filter;       // as in SetBlockStmt
    Body body;
};
struct WithStmt {  // {% with a = 1 %}...{% endwith %}
    std::vector<std::pair<AssignTarget, ExprPtr>> assignments;
    Body body;
};

struct Stmt {
    uint32_t offset = 0;
    std::variant<TextStmt, PrintStmt, IfStmt, ForStmt, SetStmt, SetBlockStmt, MacroStmt,
                 LoopControlStmt, FilterBlockStmt, WithStmt>
        node;
};

}  // namespace qe::jinja
