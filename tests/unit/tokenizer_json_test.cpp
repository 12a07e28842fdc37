// The pull JSON reader that streams tokenizer.json: strict syntax, escapes, and errors with a
// byte offset instead of crashes on hostile input.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/json_reader.h"

namespace qe {
namespace {

std::string read_string(const std::string& json) {
    JsonReader r(json, "t.json");
    std::string out;
    r.read_string(out);
    r.finish();
    return out;
}

void expect_error(const std::function<void()>& f, const std::string& part) {
    try {
        f();
        ADD_FAILURE() << "no error; wanted \"" << part << "\"";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

TEST(TokenizerJson, Strings) {
    EXPECT_EQ(read_string(R"("plain")"), "plain");
    EXPECT_EQ(read_string(R"("a\"b\\c\/d\b\f\n\r\t")"), "a\"b\\c/d\b\f\n\r\t");
    EXPECT_EQ(read_string(R"("\u4e2d\u00e9")"), "\u4e2d\u00e9");
    EXPECT_EQ(read_string(R"("\ud83d\ude00")"), "\U0001F600");
    EXPECT_EQ(read_string("\"\xC4\xA0x\""), "\xC4\xA0x");
    expect_error([] { read_string(R"("\ud83d")"); }, "lone high surrogate");
    expect_error([] { read_string(R"("\ude00")"); }, "lone low surrogate");
    expect_error([] { read_string(R"("\x")"); }, "bad escape");
    expect_error([] { read_string(R"("\u12G4")"); }, "bad hex digit");
    expect_error([] { read_string("\"a\nb\""); }, "control character");
    expect_error([] { read_string("\"abc"); }, "unterminated string");
    expect_error([] { read_string("\"\xE4\xB8\""); }, "not UTF-8");
    expect_error([] { read_string(R"("a" x)"); }, "unexpected text after the value");
}

TEST(TokenizerJson, ObjectsArraysAndNumbers) {
    const std::string json = R"( {"a": [1, -2, 30], "b": {"c": true, "d": null}, "e": "x"} )";
    JsonReader r(json, "t.json");
    r.begin_object();
    std::string key;
    ASSERT_TRUE(r.next_key(key));
    EXPECT_EQ(key, "a");
    r.begin_array();
    std::vector<int64_t> numbers;
    while (r.next_item()) numbers.push_back(r.read_int());
    EXPECT_EQ(numbers, (std::vector<int64_t>{1, -2, 30}));
    ASSERT_TRUE(r.next_key(key));
    EXPECT_EQ(r.skip_value(), R"({"c": true, "d": null})");
    ASSERT_TRUE(r.next_key(key));
    EXPECT_EQ(r.peek(), JsonReader::Type::kString);
    EXPECT_EQ(r.skip_value(), R"("x")");
    EXPECT_FALSE(r.next_key(key));
    r.finish();
}

TEST(TokenizerJson, SkipValueHandlesEveryKind) {
    for (const std::string v : {"0", "-1.5e+10", "\"s\\\"q\"", "[]", "{}", "[[], {}, [1, [2]]]",
                                R"({"k": [true, false, null, {"z": -0.0}]})"}) {
        JsonReader r(v, "t.json");
        EXPECT_EQ(r.skip_value(), v);
        r.finish();
    }
}

TEST(TokenizerJson, HostileInputGivesErrorsWithOffsets) {
    const std::string deep(100000, '[');
    expect_error([&] { JsonReader(deep, "deep.json").skip_value(); }, "nested too deeply");
    const std::string deep_object = [] {
        std::string s;
        for (int i = 0; i < 100000; ++i) s += "{\"a\":";
        return s;
    }();
    expect_error([&] { JsonReader(deep_object, "deep.json").skip_value(); }, "nested too deeply");
}

TEST(TokenizerJson, Errors) {
    auto skip = [](const std::string& json) {
        JsonReader r(json, "t.json");
        r.skip_value();
        r.finish();
    };
    expect_error([&] { skip("[1, 2"); }, "t.json: invalid JSON at byte 5");
    expect_error([&] { skip("[1 2]"); }, "expected ','");
    expect_error([&] { skip("{\"a\" 1}"); }, "expected ':'");
    expect_error([&] { skip("{1: 2}"); }, "expected a key");
    expect_error([&] { skip("[01]"); }, "expected ','");
    expect_error([&] { skip("[1.]"); }, "bad number");
    expect_error([&] { skip("[tru]"); }, "bad literal");
    expect_error([&] { skip(""); }, "unexpected end");
    expect_error([&] { skip("@"); }, "unexpected character");
    expect_error(
        [] {
            JsonReader r("1.5", "t.json");
            r.read_int();
        },
        "expected an integer");
    expect_error(
        [] {
            JsonReader r("12345678901234567890", "t.json");
            r.read_int();
        },
        "at most 18 digits");
}

}  // namespace
}  // namespace qe
