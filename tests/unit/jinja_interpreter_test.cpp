// The Jinja2 interpreter on its own: ~130 small templates whose output (or failure) was recorded
// from Python's jinja2 with transformers' settings, then lexer, parser, value and text details
// that the golden cases don't pin down (error positions, Python number and string formatting).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "jinja/chat_template.h"
#include "jinja/jinja_lexer.h"
#include "jinja/jinja_parser.h"
#include "jinja/jinja_render.h"
#include "jinja/jinja_text.h"
#include "jinja/jinja_value.h"

namespace {

using nlohmann::ordered_json;
using qe::jinja::TemplateError;
using qe::jinja::Value;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << path;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Parses and renders `source` with `variables` (a JSON object).
std::string render(const std::string& source,
                   const ordered_json& variables = ordered_json::object()) {
    const std::string normalized = qe::jinja::normalize_template_source(source);
    const qe::jinja::Body body = qe::jinja::parse_template(normalized);
    std::vector<std::pair<std::string, Value>> vars;
    for (const auto& [k, v] : variables.items()) vars.emplace_back(k, qe::jinja::from_json(v));
    return qe::jinja::render_template(normalized, body, std::move(vars), {});
}

TEST(JinjaConformance, MatchesJinja2OnEveryRecordedCase) {
    const ordered_json doc = ordered_json::parse(
        read_file(std::string(QE_SOURCE_DIR) + "/tests/golden/chat_templates/interpreter.json"));
    size_t outputs = 0, errors = 0;
    for (const auto& c : doc["cases"]) {
        const std::string source = c["template"].get<std::string>();
        SCOPED_TRACE(source);
        if (c.contains("error")) {
            EXPECT_THROW(render(source, c["variables"]), TemplateError) << c["error"];
            ++errors;
        } else {
            std::string got;
            EXPECT_NO_THROW(got = render(source, c["variables"]));
            EXPECT_EQ(got, c["expected"].get<std::string>());
            ++outputs;
        }
    }
    EXPECT_GE(outputs, 90u);
    EXPECT_GE(errors, 25u);
}

// ---- positions ------------------------------------------------------------------------------

TemplateError failure(const std::string& source) {
    try {
        render(source);
    } catch (const TemplateError& e) {
        return e;
    }
    ADD_FAILURE() << "no error for: " << source;
    return TemplateError(TemplateError::Kind::Render, {}, "");
}

TEST(JinjaErrors, SyntaxErrorsPointAtTheOffendingToken) {
    auto e = failure("ab\ncd {{ 1 + }}");
    EXPECT_EQ(e.kind(), TemplateError::Kind::Syntax);
    EXPECT_EQ(e.position().line, 2u);
    EXPECT_EQ(e.position().column, 11u);  // the closing }}

    e = failure("{% for x in y %}\n{% endif %}");
    EXPECT_EQ(e.position().line, 2u);
    EXPECT_EQ(e.position().column, 4u);
    EXPECT_NE(e.detail().find("endif"), std::string::npos) << e.detail();

    e = failure("é {{ 'unterminated }}");
    EXPECT_EQ(e.position().column, 6u);  // columns count characters, not bytes
    EXPECT_NE(e.detail().find("unterminated string"), std::string::npos) << e.detail();

    e = failure("{% if true %}never closed");
    EXPECT_NE(e.detail().find("endif"), std::string::npos) << e.detail();

    e = failure("{{ [1, 2 }}");
    EXPECT_NE(e.detail().find("expected ']'"), std::string::npos) << e.detail();
}

TEST(JinjaErrors, UnsupportedFeaturesAreSyntaxErrors) {
    for (const char* source :
         {"{% include 'x' %}", "{% extends 'x' %}", "{% import 'x' as y %}",
          "{% for x in y recursive %}{% endfor %}", "{% call m() %}{% endcall %}", "{{ f(*args) }}",
          "{% break %}", "{% macro m() %}{% break %}{% endmacro %}"}) {
        SCOPED_TRACE(source);
        EXPECT_EQ(failure(source).kind(), TemplateError::Kind::Syntax);
    }
}

TEST(JinjaErrors, RenderErrorsPointAtTheExpression) {
    const auto e = failure("line1\nline2 {{ 'a' ~ (1 / 0) }}");
    EXPECT_EQ(e.kind(), TemplateError::Kind::Render);
    EXPECT_EQ(e.position().line, 2u);
    EXPECT_EQ(e.position().column, 19u);  // the '/'
    EXPECT_EQ(e.detail(), "division by zero");
}

TEST(JinjaErrors, UndefinedMessagesNameTheVariable) {
    EXPECT_EQ(failure("{{ missing.attr }}").detail(), "'missing' is undefined");
    EXPECT_EQ(failure("{{ {'a': 1}.b.c }}").detail(), "'dict object' has no attribute 'b'");
    EXPECT_EQ(failure("{{ {}.update() }}").detail(),
              "access to attribute 'update' of 'dict' object is unsafe");
}

// ---- lexer details --------------------------------------------------------------------------

TEST(JinjaLexer, NormalizesNewlinesAndDropsOneTrailingNewline) {
    EXPECT_EQ(qe::jinja::normalize_template_source("a\r\nb\rc\n"), "a\nb\nc");
    EXPECT_EQ(qe::jinja::normalize_template_source("a\n\n"), "a\n");
    EXPECT_EQ(qe::jinja::normalize_template_source(""), "");
}

TEST(JinjaLexer, EndTagsInsideBracketsDoNotCloseTheTag) {
    EXPECT_EQ(render("{{ {'a': {'b': 1}} }}"), "{'a': {'b': 1}}");
    EXPECT_EQ(render("{{ '}}' ~ \"%}\" }}"), "}}%}");
}

TEST(JinjaLexer, KeepsInvalidUtf8BytesInText) {
    const std::string bytes = "a\xff\xfe{{ 'b\xc3' }}";
    EXPECT_EQ(render(bytes),
              "a\xff\xfe"
              "b\xc3");
}

TEST(JinjaLexer, GenerationBlocksRenderTheirBody) {
    EXPECT_EQ(render("{% generation %}kept {{ 1 }}{% endgeneration %}"), "kept 1");
}

// ---- values and Python formatting ----------------------------------------------------------

TEST(JinjaText, FormatsFloatsLikePythonRepr) {
    using qe::jinja::format_float;
    EXPECT_EQ(format_float(1.0), "1.0");
    EXPECT_EQ(format_float(0.1), "0.1");
    EXPECT_EQ(format_float(-0.0), "-0.0");
    EXPECT_EQ(format_float(1e16), "1e+16");
    EXPECT_EQ(format_float(1234567890123456.0), "1234567890123456.0");
    EXPECT_EQ(format_float(0.0001), "0.0001");
    EXPECT_EQ(format_float(0.00001234), "1.234e-05");
    EXPECT_EQ(format_float(1.5e300), "1.5e+300");
    EXPECT_EQ(format_float(5e-324), "5e-324");
    EXPECT_EQ(format_float(123.456), "123.456");
    EXPECT_EQ(format_float(1.0 / 3.0), "0.3333333333333333");
}

TEST(JinjaText, ReprQuotesLikePython) {
    using qe::jinja::repr_string;
    EXPECT_EQ(repr_string("plain"), "'plain'");
    EXPECT_EQ(repr_string("it's"), "\"it's\"");
    EXPECT_EQ(repr_string("both ' and \""), "'both \\' and \"'");
    EXPECT_EQ(repr_string("tab\tnl\n\x01"), "'tab\\tnl\\n\\x01'");
    EXPECT_EQ(repr_string("中文"), "'中文'");
}

TEST(JinjaText, SplitAndStripFollowPython) {
    using qe::jinja::split;
    using V = std::vector<std::string>;
    EXPECT_EQ(split("a,b,,c", std::string(","), -1, false), (V{"a", "b", "", "c"}));
    EXPECT_EQ(split("a,b,c", std::string(","), 1, true), (V{"a,b", "c"}));
    EXPECT_EQ(split("\u3000a\u00a0b ", std::nullopt, -1, false), (V{"a", "b"}));
    EXPECT_EQ(split("", std::nullopt, -1, false), V{});
    EXPECT_EQ(split("", std::string(","), -1, false), V{""});
    EXPECT_EQ(qe::jinja::strip("\u2003 x \n", std::nullopt, true, true), "x");
    EXPECT_EQ(qe::jinja::strip("<<x>>", std::string("<>"), true, false), "x>>");
    EXPECT_EQ(qe::jinja::strip("\u3000\xc3\xa9\xff \u3000", std::nullopt, true, true),
              "\xc3\xa9\xff");
    EXPECT_EQ(qe::jinja::strip("ééaé€", std::string("é€"), true, true), "a");
    EXPECT_EQ(qe::jinja::strip("\x82\x82", std::string("\x82"), true, true), "");
}

TEST(JinjaText, InvalidUtf8RoundTrips) {
    const std::string bytes = "ok\xc3\x28\xe2\x82\xff\xf0\x9f\x98";
    EXPECT_EQ(qe::jinja::encode_utf8(qe::jinja::decode_utf8(bytes)), bytes);
    // o k \xc3 ( \xe2 \x82 \xff \xf0 \x9f \x98: each invalid byte counts as one, as in Python.
    EXPECT_EQ(qe::jinja::count_code_points(bytes), 10u);
}

TEST(JinjaValue, JsonKeepsKeyOrderAndPythonSpacing) {
    const Value v =
        qe::jinja::from_json(ordered_json::parse(R"({"b": [1, 2.5, null], "a": {"x": true}})"));
    EXPECT_EQ(qe::jinja::to_json(v, {}), R"({"b": [1, 2.5, null], "a": {"x": true}})");
    qe::jinja::JsonStyle sorted;
    sorted.sort_keys = true;
    EXPECT_EQ(qe::jinja::to_json(v, sorted), R"({"a": {"x": true}, "b": [1, 2.5, null]})");
    EXPECT_EQ(qe::jinja::repr(v), "{'b': [1, 2.5, None], 'a': {'x': True}}");
}

TEST(JinjaValue, EqualityFollowsPython) {
    using qe::jinja::equals;
    EXPECT_TRUE(equals(Value(1), Value(1.0)));
    EXPECT_TRUE(equals(Value(true), Value(1)));
    EXPECT_FALSE(equals(Value("1"), Value(1)));
    EXPECT_FALSE(equals(Value(nullptr), Value()));
    EXPECT_FALSE(equals(Value::list({Value(1)}, true), Value::list({Value(1)})));
}

TEST(JinjaBudget, BigButLegitimateConversationsRender) {
    // 2000 messages of 1 KB through the Qwen template stay far inside the default limits.
    ordered_json messages = ordered_json::array();
    for (int i = 0; i < 2000; ++i) {
        messages.push_back(
            {{"role", i % 2 ? "assistant" : "user"}, {"content", std::string(1024, 'x')}});
    }
    const qe::ChatTemplate tmpl(
        read_file(std::string(QE_SOURCE_DIR) + "/data/templates/qwen2.5-instruct.jinja"));
    const std::string out = tmpl.render(messages, nullptr, true);
    EXPECT_GT(out.size(), 2000u * 1024u);
}

}  // namespace
