// The chat template façade against golden renderings made by Python's jinja2 with transformers'
// settings (tests/reference/make_template_golden.py), byte for byte; the ChatML fallback; and
// templates written to hang or explode, which must fail cleanly and quickly.
#include "jinja/chat_template.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

using nlohmann::ordered_json;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << path;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string source_path(const std::string& relative) {
    return std::string(QE_SOURCE_DIR) + "/" + relative;
}

// Renders every case of one golden file and compares; returns the number of cases checked.
size_t check_golden(const std::string& name) {
    const ordered_json doc = ordered_json::parse(
        read_file(source_path("tests/golden/chat_templates/" + name + ".json")));
    const qe::ChatTemplate tmpl(read_file(source_path(doc["template"].get<std::string>())));
    size_t checked = 0;
    for (const auto& c : doc["cases"]) {
        const std::string case_name = c["name"].get<std::string>();
        SCOPED_TRACE(name + " / " + case_name);
        const ordered_json extra = c.contains("extra") ? c["extra"] : ordered_json::object();
        if (c.contains("error")) {
            EXPECT_THROW(tmpl.render(c["messages"], c["tools"],
                                     c["add_generation_prompt"].get<bool>(), extra),
                         qe::jinja::TemplateError)
                << "jinja2 failed with: " << c["error"];
        } else {
            std::string got;
            EXPECT_NO_THROW(got = tmpl.render(c["messages"], c["tools"],
                                              c["add_generation_prompt"].get<bool>(), extra));
            EXPECT_EQ(got, c["expected"].get<std::string>());
        }
        ++checked;
    }
    return checked;
}

TEST(ChatTemplateGolden, Qwen25InstructMatchesJinja2) {
    EXPECT_GE(check_golden("qwen2.5-instruct"), 30u);
}
TEST(ChatTemplateGolden, Qwen3MatchesJinja2) {
    EXPECT_GE(check_golden("qwen3"), 30u);
}
TEST(ChatTemplateGolden, ChatmlMatchesJinja2) {
    EXPECT_GE(check_golden("chatml"), 5u);
}
TEST(ChatTemplateGolden, Llama3StyleMatchesJinja2) {
    EXPECT_GE(check_golden("llama3-style"), 5u);
}
TEST(ChatTemplateGolden, MistralStyleMatchesJinja2) {
    EXPECT_GE(check_golden("mistral-style"), 4u);
}
TEST(ChatTemplateGolden, FeaturesMatchesJinja2) {
    EXPECT_GE(check_golden("features"), 3u);
}

// The repository's copy of the Qwen2.5 template is the text embedded in the golden GGUF models.
TEST(ChatTemplateGolden, RepositoryQwen25TemplateIsTheOfficialOne) {
    EXPECT_EQ(read_file(source_path("data/templates/qwen2.5-instruct.jinja")),
              read_file(std::string(QE_GOLDEN_DIR) + "/qwen2.5-instruct-chat-template.jinja"));
}

const ordered_json kHello = ordered_json::parse(R"([{"role": "user", "content": "Hello"}])");

TEST(ChatTemplate, DefaultSystemPromptWhenNoneGiven) {
    const qe::ChatTemplate tmpl(read_file(source_path("data/templates/qwen2.5-instruct.jinja")));
    EXPECT_EQ(tmpl.render(kHello, nullptr, true),
              "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
              "assistant.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
}

TEST(ChatTemplate, ExtraVariablesAreVisible) {
    const qe::ChatTemplate tmpl(
        "{{ bos_token }}{{ messages[0].content }}{{ flag is sameas true }}");
    EXPECT_EQ(tmpl.render(kHello, nullptr, false, {{"bos_token", "<s>"}, {"flag", true}}),
              "<s>HelloTrue");
}

TEST(ChatTemplate, DocumentsIsNoneUnlessGiven) {
    const qe::ChatTemplate tmpl("{{ documents is none }}|{{ documents | length if documents }}");
    EXPECT_EQ(tmpl.render(kHello, nullptr, false), "True|");
    EXPECT_EQ(tmpl.render(kHello, nullptr, false, {{"documents", {"a", "b"}}}), "False|2");
}

TEST(ChatTemplate, ToolsNullIsNoneAndArrayIsList) {
    const qe::ChatTemplate tmpl("{{ tools is none }}|{{ tools | length if tools is not none }}");
    EXPECT_EQ(tmpl.render(kHello, nullptr, false), "True|");
    EXPECT_EQ(tmpl.render(kHello, ordered_json::array({1, 2}), false), "False|2");
}

TEST(ChatTemplate, KeyOrderOfToolSchemasIsKept) {
    const qe::ChatTemplate tmpl("{{ tools[0] | tojson }}");
    const auto tools = ordered_json::parse(R"([{"z": 1, "a": {"y": 2, "b": 3}}])");
    EXPECT_EQ(tmpl.render(kHello, tools, false), R"({"z": 1, "a": {"y": 2, "b": 3}})");
}

TEST(ChatTemplate, RejectsInputThatIsNotAConversation) {
    const qe::ChatTemplate tmpl("x");
    EXPECT_THROW(tmpl.render(ordered_json::object(), nullptr, true), qe::Error);
    EXPECT_THROW(tmpl.render(kHello, ordered_json::object(), true), qe::Error);
    EXPECT_THROW(tmpl.render(kHello, nullptr, true, ordered_json::array()), qe::Error);
    EXPECT_THROW(tmpl.render(kHello, nullptr, true, {{"messages", 1}}), qe::Error);
}

TEST(ChatTemplate, SyntaxErrorNamesLineAndColumn) {
    try {
        qe::ChatTemplate tmpl("line one\n{% if x %}\n  {{ x + }}\n{% endif %}");
        FAIL() << "expected a syntax error";
    } catch (const qe::jinja::TemplateError& e) {
        EXPECT_EQ(e.kind(), qe::jinja::TemplateError::Kind::Syntax);
        EXPECT_EQ(e.position().line, 3u);
        EXPECT_EQ(e.position().column, 10u);
        EXPECT_NE(std::string(e.what()).find("line 3, column 10"), std::string::npos) << e.what();
    }
}

TEST(ChatTemplate, RenderErrorNamesLineAndColumn) {
    const qe::ChatTemplate tmpl("ok\n  {{ messages[0].content + 1 }}");
    try {
        tmpl.render(kHello, nullptr, false);
        FAIL() << "expected a render error";
    } catch (const qe::jinja::TemplateError& e) {
        EXPECT_EQ(e.kind(), qe::jinja::TemplateError::Kind::Render);
        EXPECT_EQ(e.position().line, 2u);
        EXPECT_NE(e.detail().find("can only concatenate str"), std::string::npos) << e.detail();
    }
}

TEST(ChatTemplate, RaiseExceptionIsItsOwnKind) {
    const qe::ChatTemplate tmpl("{{ raise_exception('roles must alternate') }}");
    try {
        tmpl.render(kHello, nullptr, false);
        FAIL() << "expected raise_exception to throw";
    } catch (const qe::jinja::TemplateError& e) {
        EXPECT_EQ(e.kind(), qe::jinja::TemplateError::Kind::Raised);
        EXPECT_EQ(e.detail(), "roles must alternate");
    }
}

// ---- fallback ---------------------------------------------------------------------------------

const ordered_json kConversation = ordered_json::parse(R"([
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "image"},
                                 {"type": "text", "text": "there"}]},
    {"role": "assistant", "content": null},
    {"role": "tool", "content": {"temperature": 21}}
])");

const std::string kChatml =
    "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n"
    "<|im_start|>assistant\n<|im_end|>\n<|im_start|>tool\n{\"temperature\":21}<|im_end|>\n"
    "<|im_start|>assistant\n";

TEST(PromptFormatter, RendersWithTheTemplateWhenItWorks) {
    const qe::PromptFormatter f(read_file(source_path("data/templates/chatml.jinja")));
    const auto p = f.format(kHello, nullptr, true);
    EXPECT_FALSE(p.used_fallback());
    EXPECT_EQ(p.fallback, qe::PromptFallback::None);
    EXPECT_TRUE(p.warning.empty());
    EXPECT_EQ(p.text, "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
}

TEST(PromptFormatter, UnparsableTemplateFallsBackToChatml) {
    const qe::PromptFormatter f("{% for m in messages %}{{ m.content }}");
    EXPECT_FALSE(f.has_template());
    EXPECT_NE(f.load_warning().find("syntax error"), std::string::npos) << f.load_warning();
    const auto p = f.format(kConversation, nullptr, true);
    EXPECT_EQ(p.fallback, qe::PromptFallback::TemplateSyntax);
    EXPECT_EQ(p.text, kChatml);
}

TEST(PromptFormatter, UnsupportedStatementFallsBackToChatml) {
    const qe::PromptFormatter f("{% include 'header.jinja' %}{{ messages }}");
    EXPECT_EQ(f.format(kHello, nullptr, false).fallback, qe::PromptFallback::TemplateSyntax);
}

TEST(PromptFormatter, RenderFailureFallsBackToChatml) {
    const qe::PromptFormatter f(read_file(source_path("data/templates/qwen2.5-instruct.jinja")));
    EXPECT_TRUE(f.has_template());
    // The Qwen template concatenates user content, which fails for null content.
    const auto messages = ordered_json::parse(R"([{"role": "user", "content": null}])");
    const auto p = f.format(messages, nullptr, true);
    EXPECT_EQ(p.fallback, qe::PromptFallback::TemplateRender);
    EXPECT_NE(p.warning.find("line"), std::string::npos) << p.warning;
    EXPECT_EQ(p.text, "<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n");
}

TEST(PromptFormatter, RaisedExceptionFallsBackAndSaysSo) {
    const qe::PromptFormatter f(read_file(source_path("data/templates/mistral-style.jinja")));
    const auto messages = ordered_json::parse(R"([{"role": "user", "content": "a"},
                                                  {"role": "user", "content": "b"}])");
    const auto p =
        f.format(messages, nullptr, false, {{"bos_token", "<s>"}, {"eos_token", "</s>"}});
    EXPECT_EQ(p.fallback, qe::PromptFallback::TemplateRaised);
    EXPECT_NE(p.warning.find("must alternate"), std::string::npos) << p.warning;
}

TEST(PromptFormatter, NoTemplateUsesChatml) {
    const qe::PromptFormatter f("");
    const auto p = f.format(kConversation, nullptr, true);
    EXPECT_EQ(p.fallback, qe::PromptFallback::NoTemplate);
    EXPECT_EQ(p.text, kChatml);
}

TEST(PromptFormatter, FallbackStillRejectsNonConversations) {
    const qe::PromptFormatter f("");
    EXPECT_THROW(f.format(ordered_json::parse(R"({"role": "user"})"), nullptr, true), qe::Error);
    EXPECT_THROW(f.format(ordered_json::parse(R"([{"content": "no role"}])"), nullptr, true),
                 qe::Error);
    EXPECT_THROW(f.format(ordered_json::parse(R"([42])"), nullptr, true), qe::Error);
}

// ---- hostile templates --------------------------------------------------------------------------

qe::jinja::TemplateError render_failure(const std::string& source,
                                        qe::jinja::RenderLimits limits = {}) {
    try {
        qe::ChatTemplate(source, limits).render(kHello, nullptr, true);
    } catch (const qe::jinja::TemplateError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a failure for: " << source;
    return qe::jinja::TemplateError(qe::jinja::TemplateError::Kind::Render, {}, "");
}

TEST(ChatTemplateLimits, NestedLoopsRunOutOfSteps) {
    qe::jinja::RenderLimits limits;
    limits.max_steps = 1'000'000;  // the default (10 M) takes about a second; keep tests quick
    const auto e = render_failure(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", limits);
    EXPECT_NE(e.detail().find("evaluation steps"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, OutputSizeIsCapped) {
    qe::jinja::RenderLimits limits;
    limits.max_output_bytes = 1 << 20;
    const auto e = render_failure(
        "{% for a in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}", limits);
    EXPECT_NE(e.detail().find("limit"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, StringRepetitionIsCapped) {
    const auto e = render_failure("{{ 'x' * 1000000000 }}");
    EXPECT_NE(e.detail().find("limit"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, DoublingAListIsCapped) {
    const auto e = render_failure(
        "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = [ns.l, ns.l] %}"
        "{% endfor %}{{ ns.l }}");
    EXPECT_NE(e.detail().find("too large"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, DeepNestingIsCapped) {
    const auto e = render_failure(
        "{% set ns = namespace(l=[]) %}{% for i in range(2000) %}{% set ns.l = [ns.l] %}"
        "{% endfor %}{{ ns.l | tojson }}");
    EXPECT_NE(e.detail().find("nested deeper"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, InfiniteMacroRecursionIsCapped) {
    const auto e = render_failure("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    EXPECT_NE(e.detail().find("deeper than"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, NamespaceCannotHoldItself) {
    const auto e = render_failure("{% set ns = namespace() %}{% set ns.self = ns %}");
    EXPECT_NE(e.detail().find("can't be stored"), std::string::npos) << e.detail();
}

TEST(ChatTemplateLimits, DeeplyNestedSourceIsASyntaxError) {
    std::string source = "{{ ";
    for (int i = 0; i < 5000; ++i) source += "(";
    source += "1";
    for (int i = 0; i < 5000; ++i) source += ")";
    source += " }}";
    try {
        qe::ChatTemplate tmpl(source);
        FAIL() << "expected a syntax error";
    } catch (const qe::jinja::TemplateError& e) {
        EXPECT_EQ(e.kind(), qe::jinja::TemplateError::Kind::Syntax);
    }
    std::string blocks;
    for (int i = 0; i < 5000; ++i) blocks += "{% if true %}";
    EXPECT_THROW(qe::ChatTemplate{blocks}, qe::jinja::TemplateError);
}

TEST(ChatTemplateLimits, DeeplyNestedInputIsRejected) {
    ordered_json deep = "leaf";
    for (int i = 0; i < 600; ++i) deep = ordered_json::array({deep});
    const qe::ChatTemplate tmpl("{{ messages | length }}");
    EXPECT_THROW(tmpl.render(ordered_json::array({deep}), nullptr, true), qe::Error);
}

}  // namespace

TEST(PromptFormatter, ExtraVariablesReachTheTemplate) {
    const qe::PromptFormatter f(
        "{%- if enable_thinking is defined and not enable_thinking -%}no{%- else -%}yes{%- endif "
        "-%}"
        "{{ flavour | default('') }}");
    const auto messages = nlohmann::ordered_json::array();
    EXPECT_EQ(f.format(messages, nullptr, true).text, "yes");
    EXPECT_EQ(
        f.format(messages, nullptr, true, {{"enable_thinking", false}, {"flavour", "!"}}).text,
        "no!");
}
