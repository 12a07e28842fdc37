#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "io/json_checked.h"
#include "io/safetensors_writer.h"
#include "support/byte_builder.h"
#include "support/expect_error.h"

namespace qe {
namespace {

using test::ByteBuilder;
using test::throws_error;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(seed + 13 * i);
    return v;
}

SafetensorsWriter small_writer() {
    SafetensorsWriter w;
    w.set_metadata("format", "pt");
    w.add_tensor("model.embed_tokens.weight", DType::BF16, {6, 4}, pattern(48, 1));
    w.add_tensor("model.norm.weight", DType::F32, {4}, pattern(16, 2));
    w.add_tensor("model.layers.0.self_attn.q_proj.bias", DType::F16, {3}, pattern(6, 3));
    return w;
}

auto parse_fn(std::vector<uint8_t> bytes) {
    return [bytes = std::move(bytes)] { parse_safetensors(bytes, "test.safetensors"); };
}

// A file with the given JSON header (unpadded) and `data_size` zero bytes of data.
std::vector<uint8_t> raw_file(const std::string& header, size_t data_size) {
    ByteBuilder b;
    b.u64(header.size()).raw(header).zeros(data_size);
    return b.bytes();
}

TEST(Safetensors, WriterOutputRoundTrips) {
    const auto bytes = small_writer().to_bytes();
    const auto f = parse_safetensors(bytes, "test.safetensors");
    EXPECT_EQ(f.metadata.at("format"), "pt");
    EXPECT_EQ(f.data_offset % 8, 0u);  // the header is padded to keep data aligned
    ASSERT_EQ(f.tensors.size(), 3u);
    // Sorted by data offset, i.e. in the order they were written.
    EXPECT_EQ(f.tensors[0].name, "model.embed_tokens.weight");
    EXPECT_EQ(f.tensors[2].name, "model.layers.0.self_attn.q_proj.bias");

    const TensorView* e = f.tensor("model.embed_tokens.weight");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->dtype, DType::BF16);
    EXPECT_EQ(e->shape, (std::vector<int64_t>{6, 4}));
    EXPECT_EQ(e->nbytes, 48u);
    EXPECT_EQ(e->data, bytes.data() + f.data_offset);
    EXPECT_EQ(std::memcmp(e->data, pattern(48, 1).data(), 48), 0);

    const TensorView* b = f.tensor("model.layers.0.self_attn.q_proj.bias");
    EXPECT_EQ(b->dtype, DType::F16);
    EXPECT_EQ(std::memcmp(b->data, pattern(6, 3).data(), 6), 0);
    EXPECT_EQ(f.tensor("lm_head.weight"), nullptr);
}

TEST(Safetensors, ScalarsAndEmptyTensorsAreValid) {
    const auto f =
        parse_safetensors(raw_file(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
                                   R"("z":{"dtype":"F16","shape":[0,7],"data_offsets":[4,4]}})",
                                   4),
                          "t");
    ASSERT_EQ(f.tensors.size(), 2u);
    EXPECT_TRUE(f.tensor("s")->shape.empty());
    EXPECT_EQ(f.tensor("z")->nbytes, 0u);
}

TEST(Safetensors, EveryTruncationFailsCleanly) {
    const auto full = small_writer().to_bytes();
    ASSERT_NO_THROW(parse_safetensors(full, "test.safetensors"));
    for (size_t n = 0; n < full.size(); ++n) {
        const std::vector<uint8_t> prefix(full.begin(), full.begin() + long(n));
        EXPECT_TRUE(throws_error(parse_fn(prefix), {"test.safetensors"})) << "prefix " << n;
    }
}

TEST(Safetensors, RejectsBadHeaderLengths) {
    ByteBuilder huge;
    huge.u64(1ull << 40).raw("{}");
    EXPECT_TRUE(throws_error(parse_fn(huge.bytes()), {"header length", "limit", "at byte 0"}));
    ByteBuilder beyond;
    beyond.u64(100).raw("{}");
    EXPECT_TRUE(throws_error(parse_fn(beyond.bytes()), {"truncated", "100"}));
    EXPECT_TRUE(throws_error(parse_fn({1, 2, 3}), {"truncated", "header length"}));
}

TEST(Safetensors, RejectsInvalidJsonWithItsOffset) {
    EXPECT_TRUE(throws_error(parse_fn(raw_file(R"({"a": })", 0)), {"invalid JSON", "at byte 14"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file("[1,2]", 0)), {"does not start with '{'"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file("", 0)), {"does not start with '{'"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file("{\"\xff\":1}", 0)), {"invalid JSON"}));
    // Deep nesting must neither blow the stack nor build millions of containers.
    EXPECT_TRUE(throws_error(parse_fn(raw_file("{\"a\":" + std::string(100000, '['), 0)),
                             {"nested deeper than 64"}));
}

TEST(JsonChecked, LimitsNestingDepth) {
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_NO_THROW(parse_json_checked(nested(kJsonMaxDepth), "ok.json"));
    EXPECT_TRUE(throws_error([&] { parse_json_checked(nested(kJsonMaxDepth + 1), "deep.json"); },
                             {"deep.json", "nested deeper than 64"}));
    EXPECT_TRUE(throws_error([&] { parse_json_checked(R"({"a":{"b":1,"b":2}})", "dup.json"); },
                             {"dup.json", "duplicate key \"b\""}));
    EXPECT_NO_THROW(parse_json_checked(R"({"a":{"b":1},"c":{"b":2}})", "same-key-elsewhere.json"));
}

TEST(JsonChecked, NumberTooLargeForADoubleIsAnError) {
    // Found by safetensors_fuzz: nlohmann throws out_of_range, not parse_error, for 1e999.
    EXPECT_TRUE(throws_error([] { parse_json_checked(R"({"shape":[1e999]})", "big.json"); },
                             {"big.json", "cannot be read"}));
    EXPECT_TRUE(throws_error([] { parse_safetensors_index(R"({"weight_map":{"a":1e999}})", "i"); },
                             {"i", "cannot be read"}));
}

TEST(Safetensors, RejectsDuplicateKeys) {
    const std::string t = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
    EXPECT_TRUE(throws_error(parse_fn(raw_file("{\"w\":" + t + ",\"w\":" + t + "}", 8)),
                             {"duplicate key \"w\""}));
    EXPECT_TRUE(throws_error(
        parse_fn(
            raw_file(R"({"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}})", 4)),
        {"duplicate key \"dtype\""}));
}

std::string entry(const std::string& dtype, const std::string& shape, const std::string& offsets) {
    return R"({"w":{"dtype":)" + dtype + R"(,"shape":)" + shape + R"(,"data_offsets":)" + offsets +
           "}}";
}

TEST(Safetensors, RejectsBadDtypes) {
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"I64\"", "[1]", "[0,8]"), 8)),
                             {"tensor 'w' has unsupported dtype I64", "BF16"}));
    EXPECT_TRUE(
        throws_error(parse_fn(raw_file(entry("\"Q4\"", "[1]", "[0,8]"), 8)), {"unknown dtype Q4"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("7", "[1]", "[0,8]"), 8)),
                             {"dtype must be a string"}));
}

TEST(Safetensors, RejectsBadShapes) {
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "[-1]", "[0,4]"), 4)),
                             {"shape entry must be a non-negative integer, not -1"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "[1.5]", "[0,4]"), 4)),
                             {"non-negative integer"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "4", "[0,4]"), 4)),
                             {"shape must be an array"}));
    EXPECT_TRUE(
        throws_error(parse_fn(raw_file(entry("\"F32\"", "[4294967296,4294967296]", "[0,4]"), 4)),
                     {"more elements than fit"}));
    EXPECT_TRUE(
        throws_error(parse_fn(raw_file(entry("\"F32\"", "[4611686018427387904]", "[0,4]"), 4)),
                     {"byte size overflows"}));
    EXPECT_TRUE(
        throws_error(parse_fn(raw_file(entry("\"F32\"", "[1,1,1,1,1,1,1,1,1]", "[0,4]"), 4)),
                     {"more than 8 dimensions"}));
}

TEST(Safetensors, RejectsBadDataOffsets) {
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "[2]", "[0,8]"), 4)),
                             {"data_offsets [0, 8) reach past the end of the data (4 bytes)"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "[2]", "[8,0]"), 8)),
                             {"end before they begin"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "[2]", "[0,4]"), 8)),
                             {"hold 4 bytes but F32 x [2] needs 8"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(entry("\"F32\"", "[2]", "[0]"), 8)),
                             {"data_offsets must be [begin, end]"}));
    EXPECT_TRUE(
        throws_error(parse_fn(raw_file(entry("\"F32\"", "[2]", "[18446744073709551615,7]"), 8)),
                     {"end before"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(R"({"w":{"dtype":"F32","shape":[2]}})", 8)),
                             {"tensor 'w' has no \"data_offsets\""}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(R"({"w":[1]})", 8)), {"must be an object"}));
}

TEST(Safetensors, RejectsOverlappingTensors) {
    const std::string header = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                               R"("b":{"dtype":"F16","shape":[4],"data_offsets":[12,20]}})";
    EXPECT_TRUE(
        throws_error(parse_fn(raw_file(header, 32)), {"tensor 'b' data overlaps tensor 'a'"}));
}

TEST(Safetensors, RejectsNonStringMetadata) {
    EXPECT_TRUE(throws_error(parse_fn(raw_file(R"({"__metadata__":{"n":1}})", 0)),
                             {"__metadata__ value of 'n' is not a string"}));
    EXPECT_TRUE(throws_error(parse_fn(raw_file(R"({"__metadata__":[]})", 0)),
                             {"__metadata__ must be an object"}));
}

TEST(Safetensors, WriterRejectsBadInput) {
    SafetensorsWriter w;
    EXPECT_THROW(w.add_tensor("q", DType::Q8_0, {32}, pattern(34, 0)), Error);
    EXPECT_THROW(w.add_tensor("x", DType::F32, {2}, pattern(7, 0)), Error);
    EXPECT_THROW(w.add_tensor("__metadata__", DType::F32, {1}, pattern(4, 0)), Error);
    w.add_tensor("x", DType::F32, {2}, pattern(8, 0));
    EXPECT_THROW(w.add_tensor("x", DType::F32, {2}, pattern(8, 0)), Error);
}

TEST(SafetensorsIndex, ParsesWeightMap) {
    const auto index = parse_safetensors_index(
        R"({"metadata":{"total_size":10},"weight_map":{"a":"model-00001-of-00002.safetensors",)"
        R"("b":"model-00002-of-00002.safetensors","c":"model-00001-of-00002.safetensors"}})",
        "index.json");
    EXPECT_EQ(index.weight_map.size(), 3u);
    EXPECT_EQ(index.weight_map.at("b"), "model-00002-of-00002.safetensors");
    EXPECT_EQ(index.shards, (std::vector<std::string>{"model-00001-of-00002.safetensors",
                                                      "model-00002-of-00002.safetensors"}));
}

TEST(SafetensorsIndex, RejectsPathsOutsideTheFolderAndBadShapes) {
    auto parse = [](const std::string& text) {
        return [text] { parse_safetensors_index(text, "index.json"); };
    };
    EXPECT_TRUE(throws_error(parse(R"({"weight_map":{"a":"../../etc/passwd"}})"),
                             {"index.json", "not a plain file name"}));
    EXPECT_TRUE(throws_error(parse(R"({"weight_map":{"a":"/abs.safetensors"}})"),
                             {"not a plain file name"}));
    EXPECT_TRUE(throws_error(parse(R"({"weight_map":{"a":".."}})"), {"not a plain file name"}));
    EXPECT_TRUE(throws_error(parse(R"({"weight_map":{"a":3}})"), {"is not a string"}));
    EXPECT_TRUE(throws_error(parse(R"({"metadata":{}})"), {"no \"weight_map\""}));
    EXPECT_TRUE(throws_error(parse(R"({"weight_map":{}})"), {"empty"}));
    EXPECT_TRUE(throws_error(parse("{\"weight_map\":"), {"invalid JSON"}));
}

}  // namespace
}  // namespace qe
