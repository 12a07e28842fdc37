#include "io/gguf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "core/mapped_file.h"
#include "io/gguf_writer.h"
#include "support/byte_builder.h"
#include "support/expect_error.h"

namespace qe {
namespace {

using test::ByteBuilder;
using test::throws_error;
namespace gv = gguf_value;

constexpr uint32_t kMagic = 0x46554747;

std::vector<uint8_t> iota_bytes(size_t n, uint8_t start = 0) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(start + i * 7);
    return v;
}

// A small but complete file: metadata of several kinds and three tensors of different types.
GgufWriter small_writer() {
    GgufWriter w;
    w.set("general.architecture", gv::str("qwen2"));
    w.set("qwen2.block_count", gv::u32(2));
    w.set("qwen2.rope.freq_base", gv::f32(1e6f));
    w.set("tokenizer.ggml.tokens", gv::strings({"a", "b", "<|im_end|>"}));
    w.set("tokenizer.ggml.add_bos_token", gv::boolean(false));
    w.add_tensor("output_norm.weight", DType::F32, {8}, iota_bytes(32));
    w.add_tensor("token_embd.weight", DType::Q8_0, {3, 32}, iota_bytes(3 * 34, 1));
    w.add_tensor("blk.0.attn_q.weight", DType::F16, {2, 5}, iota_bytes(20, 2));
    return w;
}

GgufFile parse(const std::vector<uint8_t>& bytes) {
    return parse_gguf(bytes, "test.gguf");
}

auto parse_fn(const std::vector<uint8_t>& bytes) {
    return [bytes] { parse_gguf(bytes, "test.gguf"); };
}

TEST(Gguf, EveryScalarTypeRoundTrips) {
    GgufWriter w;
    w.set("u8", gv::u8(250));
    w.set("i8", gv::i8(-5));
    w.set("u16", gv::u16(65535));
    w.set("i16", gv::i16(-32768));
    w.set("u32", gv::u32(4000000000u));
    w.set("i32", gv::i32(-2000000000));
    w.set("u64", gv::u64(std::numeric_limits<uint64_t>::max()));
    w.set("i64", gv::i64(std::numeric_limits<int64_t>::min()));
    w.set("f32", gv::f32(1.5e-6f));
    w.set("f64", gv::f64(-3.25e300));
    w.set("yes", gv::boolean(true));
    w.set("no", gv::boolean(false));
    w.set("text", gv::str("héllo\nworld"));
    w.set("empty", gv::str(""));
    const auto f = parse(w.to_bytes());

    EXPECT_EQ(f.version, 3u);
    ASSERT_EQ(f.metadata.size(), 14u);
    EXPECT_EQ(f.metadata_order.front(), "u8");
    EXPECT_EQ(f.metadata_order.back(), "empty");
    EXPECT_EQ(f.find("u8")->type, GgufType::UINT8);
    EXPECT_EQ(f.find("u8")->as_int(), 250);
    EXPECT_EQ(f.find("i8")->type, GgufType::INT8);
    EXPECT_EQ(f.find("i8")->as_int(), -5);
    EXPECT_EQ(f.find("u16")->as_int(), 65535);
    EXPECT_EQ(f.find("i16")->as_int(), -32768);
    EXPECT_EQ(f.find("u32")->as_int(), 4000000000LL);
    EXPECT_EQ(f.find("i32")->as_int(), -2000000000);
    EXPECT_EQ(f.find("u64")->type, GgufType::UINT64);
    EXPECT_EQ(f.find("u64")->as_int(), std::nullopt);  // does not fit in int64
    EXPECT_EQ(std::get<uint64_t>(f.find("u64")->value), std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(f.find("i64")->as_int(), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(f.find("f32")->type, GgufType::FLOAT32);
    EXPECT_EQ(f.find("f32")->as_float(), double(1.5e-6f));
    EXPECT_EQ(f.find("f32")->as_int(), std::nullopt);
    EXPECT_EQ(f.find("f64")->as_float(), -3.25e300);
    EXPECT_EQ(f.find("u32")->as_float(), 4e9);
    EXPECT_EQ(f.find("yes")->as_bool(), true);
    EXPECT_EQ(f.find("no")->as_bool(), false);
    EXPECT_EQ(f.find("no")->as_int(), std::nullopt);
    EXPECT_EQ(f.find("u8")->as_bool(), std::nullopt);
    ASSERT_NE(f.find("text")->as_string(), nullptr);
    EXPECT_EQ(*f.find("text")->as_string(), "héllo\nworld");
    EXPECT_EQ(*f.find("empty")->as_string(), "");
    EXPECT_EQ(f.find("text")->as_array(), nullptr);
    EXPECT_EQ(f.find("missing"), nullptr);
    EXPECT_TRUE(f.tensors.empty());
}

TEST(Gguf, ArraysOfEveryTypeAndNestedArraysRoundTrip) {
    GgufWriter w;
    w.set("u8s", gv::array(GgufType::UINT8, {gv::u8(1), gv::u8(255)}));
    w.set("i16s", gv::array(GgufType::INT16, {gv::i16(-1), gv::i16(7)}));
    w.set("u64s", gv::array(GgufType::UINT64, {gv::u64(1ull << 40)}));
    w.set("f64s", gv::array(GgufType::FLOAT64, {gv::f64(0.125)}));
    w.set("bools", gv::array(GgufType::BOOL, {gv::boolean(true), gv::boolean(false)}));
    w.set("tokens", gv::strings({"Ġhello", "", "<|im_start|>"}));
    w.set("types", gv::i32s({1, 3, 4}));
    w.set("scores", gv::f32s({-1.5f, 0.0f}));
    w.set("empty", gv::array(GgufType::UINT32, {}));
    w.set("nested", gv::array(GgufType::ARRAY, {gv::i32s({1, 2}), gv::strings({"x"}),
                                                gv::array(GgufType::ARRAY, {gv::i32s({9})})}));
    const auto f = parse(w.to_bytes());

    const auto* u8s = f.find("u8s")->as_array();
    ASSERT_NE(u8s, nullptr);
    EXPECT_EQ(u8s->elem_type, GgufType::UINT8);
    ASSERT_EQ(u8s->items.size(), 2u);
    EXPECT_EQ(u8s->items[1].as_int(), 255);
    EXPECT_EQ(f.find("i16s")->as_array()->items[0].as_int(), -1);
    EXPECT_EQ(f.find("u64s")->as_array()->items[0].as_int(), int64_t(1) << 40);
    EXPECT_EQ(f.find("f64s")->as_array()->items[0].as_float(), 0.125);
    EXPECT_EQ(f.find("bools")->as_array()->items[1].as_bool(), false);
    const auto* tokens = f.find("tokens")->as_array();
    ASSERT_EQ(tokens->items.size(), 3u);
    EXPECT_EQ(*tokens->items[0].as_string(), "Ġhello");
    EXPECT_EQ(*tokens->items[1].as_string(), "");
    EXPECT_EQ(*tokens->items[2].as_string(), "<|im_start|>");
    EXPECT_EQ(f.find("types")->as_array()->items[2].as_int(), 4);
    EXPECT_EQ(f.find("scores")->as_array()->items[0].as_float(), -1.5);
    EXPECT_EQ(f.find("empty")->as_array()->elem_type, GgufType::UINT32);
    EXPECT_TRUE(f.find("empty")->as_array()->items.empty());

    const auto* nested = f.find("nested")->as_array();
    ASSERT_EQ(nested->elem_type, GgufType::ARRAY);
    ASSERT_EQ(nested->items.size(), 3u);
    EXPECT_EQ(nested->items[0].as_array()->items[1].as_int(), 2);
    EXPECT_EQ(*nested->items[1].as_array()->items[0].as_string(), "x");
    const auto* inner = nested->items[2].as_array()->items[0].as_array();
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(inner->items[0].as_int(), 9);
}

TEST(Gguf, TensorsRoundTripWithShapeReversedAndDataInPlace) {
    const auto bytes = small_writer().to_bytes();
    const auto f = parse(bytes);
    ASSERT_EQ(f.tensors.size(), 3u);
    EXPECT_EQ(f.alignment, 32u);
    EXPECT_EQ(f.data_offset % 32, 0u);

    const TensorView* embd = f.tensor("token_embd.weight");
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(embd->dtype, DType::Q8_0);
    EXPECT_EQ(embd->shape, (std::vector<int64_t>{3, 32}));  // outermost first
    EXPECT_EQ(embd->nbytes, 3u * 34u);
    EXPECT_EQ(std::memcmp(embd->data, iota_bytes(102, 1).data(), 102), 0);

    const TensorView* q = f.tensor("blk.0.attn_q.weight");
    EXPECT_EQ(q->shape, (std::vector<int64_t>{2, 5}));
    EXPECT_EQ(q->dtype, DType::F16);
    EXPECT_EQ(std::memcmp(q->data, iota_bytes(20, 2).data(), 20), 0);

    // Data points into the parsed bytes (no copy) at aligned offsets, in file order.
    for (const auto& t : f.tensors) {
        const auto* p = static_cast<const uint8_t*>(t.data);
        EXPECT_GE(p, bytes.data() + f.data_offset);
        EXPECT_LE(p + t.nbytes, bytes.data() + bytes.size());
        EXPECT_EQ(size_t(p - bytes.data()) % 32, 0u);
    }
    EXPECT_EQ(f.tensors[0].name, "output_norm.weight");
    EXPECT_EQ(f.tensor("nope"), nullptr);
}

TEST(Gguf, VersionTwoParsesLikeThree) {
    GgufWriter w(2);
    w.set("k", gv::u32(1));
    w.add_tensor("t", DType::F32, {4}, iota_bytes(16));
    const auto f = parse(w.to_bytes());
    EXPECT_EQ(f.version, 2u);
    EXPECT_EQ(f.tensors.size(), 1u);
}

TEST(Gguf, CustomAlignmentIsHonoured) {
    GgufWriter w;
    w.set("general.alignment", gv::u32(256));
    w.add_tensor("a", DType::F32, {3}, iota_bytes(12));
    w.add_tensor("b", DType::F32, {5}, iota_bytes(20));
    const auto bytes = w.to_bytes();
    const auto f = parse(bytes);
    EXPECT_EQ(f.alignment, 256u);
    EXPECT_EQ(f.data_offset % 256, 0u);
    for (const auto& t : f.tensors) {
        EXPECT_EQ(size_t(static_cast<const uint8_t*>(t.data) - bytes.data()) % 256, 0u);
    }
}

TEST(Gguf, EveryTruncationFailsCleanly) {
    const auto full = small_writer().to_bytes();
    const auto parsed = parse(full);
    // The writer pads after the last tensor too; only that padding may be cut.
    const auto& last = parsed.tensors.back();
    const size_t data_end =
        size_t(static_cast<const uint8_t*>(last.data) - full.data()) + last.nbytes;
    ASSERT_LT(data_end, full.size());
    for (size_t n = 0; n < full.size(); ++n) {
        // A copy of exactly n bytes, so ASan sees any read past the end.
        const std::vector<uint8_t> prefix(full.begin(), full.begin() + long(n));
        if (n < data_end) {
            EXPECT_TRUE(throws_error(parse_fn(prefix), {"test.gguf", "byte"})) << "prefix " << n;
        } else {
            EXPECT_NO_THROW(parse(prefix)) << "prefix " << n;
        }
    }
}

TEST(Gguf, ErrorsNameTheFileAndOffset) {
    auto bytes = small_writer().to_bytes();
    bytes.resize(200);  // inside the tokens array
    EXPECT_TRUE(throws_error(
        parse_fn(bytes), {"test.gguf: file is truncated", "tokenizer.ggml.tokens", "at byte 1"}));
    bytes.resize(30);  // the metadata count promises more than the bytes left can hold
    EXPECT_TRUE(
        throws_error(parse_fn(bytes), {"truncated or corrupt", "metadata count 5", "at byte 16"}));
}

TEST(Gguf, RejectsBadMagic) {
    auto bytes = small_writer().to_bytes();
    bytes[0] = 'g';
    EXPECT_TRUE(throws_error(parse_fn(bytes), {"bad magic", "not a GGUF file", "at byte 0"}));
    const std::vector<uint8_t> text = {'{', '"', 'a', '"', ':', '1', '}', '\n'};
    EXPECT_TRUE(throws_error(parse_fn(text), {"bad magic"}));
}

TEST(Gguf, RejectsUnknownVersions) {
    for (uint32_t version : {0u, 1u, 4u, 0xffffffffu}) {
        ByteBuilder b;
        b.u32(kMagic).u32(version).u64(0).u64(0);
        EXPECT_TRUE(throws_error(parse_fn(b.bytes()), {"version", "at byte 4"}))
            << "version " << version;
    }
    ByteBuilder big_endian;
    big_endian.u32(kMagic).u32(0x03000000u).u64(0).u64(0);
    EXPECT_TRUE(throws_error(parse_fn(big_endian.bytes()), {"big-endian"}));
}

TEST(Gguf, RejectsAbsurdCounts) {
    ByteBuilder kv;
    kv.u32(kMagic).u32(3).u64(0).u64(std::numeric_limits<uint64_t>::max()).zeros(64);
    EXPECT_TRUE(throws_error(parse_fn(kv.bytes()), {"metadata count", "cannot fit", "byte 16"}));

    ByteBuilder tensors;
    tensors.u32(kMagic).u32(3).u64(1ull << 40).u64(0).zeros(64);
    EXPECT_TRUE(throws_error(parse_fn(tensors.bytes()), {"tensor count", "cannot fit", "byte 8"}));
}

// A header with one key whose value bytes the caller appends.
ByteBuilder one_key(std::string_view key, uint32_t type) {
    ByteBuilder b;
    b.u32(kMagic).u32(3).u64(0).u64(1).str(key).u32(type);
    return b;
}

TEST(Gguf, RejectsAbsurdStringAndArrayLengths) {
    auto s = one_key("general.name", uint32_t(GgufType::STRING));
    s.u64(1ull << 62).raw("abc");
    EXPECT_TRUE(throws_error(parse_fn(s.bytes()), {"string value of 'general.name'", "byte 48"}));

    auto a = one_key("tokens", uint32_t(GgufType::ARRAY));
    a.u32(uint32_t(GgufType::STRING)).u64(1ull << 60).zeros(16);
    EXPECT_TRUE(throws_error(parse_fn(a.bytes()), {"array 'tokens'", "claims"}));

    // u8 arrays are bounded by bytes too (one byte per element).
    auto u8s = one_key("bytes", uint32_t(GgufType::ARRAY));
    u8s.u32(uint32_t(GgufType::UINT8)).u64(17).zeros(16);
    EXPECT_TRUE(throws_error(parse_fn(u8s.bytes()), {"array 'bytes'", "17"}));

    ByteBuilder key;
    key.u32(kMagic).u32(3).u64(0).u64(1).u64(1ull << 50).zeros(16);
    EXPECT_TRUE(throws_error(parse_fn(key.bytes()), {"metadata key length", "byte 24"}));
}

TEST(Gguf, RejectsTooManyMetadataValues) {
    // Each u8 item costs one byte on disk but a full GgufValue in memory: the total is capped.
    auto b = one_key("blob", uint32_t(GgufType::ARRAY));
    b.u32(uint32_t(GgufType::UINT8)).u64(kGgufMaxMetadataValues + 1);
    b.zeros(kGgufMaxMetadataValues + 1);
    EXPECT_TRUE(throws_error(parse_fn(b.bytes()), {"metadata limit"}));
}

TEST(Gguf, RejectsDeeplyNestedArrays) {
    auto b = one_key("deep", uint32_t(GgufType::ARRAY));
    for (int i = 0; i < 100; ++i) b.u32(uint32_t(GgufType::ARRAY)).u64(1);
    b.u32(uint32_t(GgufType::UINT8)).u64(0);
    EXPECT_TRUE(throws_error(parse_fn(b.bytes()), {"nested deeper"}));
}

TEST(Gguf, RejectsUnknownValueTypesAndBadBools) {
    auto t = one_key("k", 13);
    t.zeros(8);
    EXPECT_TRUE(throws_error(parse_fn(t.bytes()), {"unknown value type 13", "byte 33"}));

    auto e = one_key("k", uint32_t(GgufType::ARRAY));
    e.u32(99).u64(0);
    EXPECT_TRUE(throws_error(parse_fn(e.bytes()), {"unknown element type 99"}));

    auto b = one_key("flag", uint32_t(GgufType::BOOL));
    b.u8(2);
    EXPECT_TRUE(throws_error(parse_fn(b.bytes()), {"bool", "not 0 or 1"}));
}

TEST(Gguf, RejectsDuplicateAndEmptyKeys) {
    ByteBuilder b;
    b.u32(kMagic).u32(3).u64(0).u64(2);
    b.str("a.key").u32(uint32_t(GgufType::UINT32)).u32(1);
    b.str("a.key").u32(uint32_t(GgufType::UINT32)).u32(2);
    EXPECT_TRUE(throws_error(parse_fn(b.bytes()), {"duplicate metadata key 'a.key'", "byte 45"}));

    auto empty = one_key("", uint32_t(GgufType::UINT8));
    empty.u8(0);
    EXPECT_TRUE(throws_error(parse_fn(empty.bytes()), {"empty"}));
}

TEST(Gguf, RejectsBadAlignment) {
    for (uint32_t align : {0u, 3u, 48u}) {
        auto b = one_key("general.alignment", uint32_t(GgufType::UINT32));
        b.u32(align);
        EXPECT_TRUE(throws_error(parse_fn(b.bytes()), {"general.alignment", "power of two"}))
            << align;
    }
    auto s = one_key("general.alignment", uint32_t(GgufType::STRING));
    s.str("32");
    EXPECT_TRUE(throws_error(parse_fn(s.bytes()), {"general.alignment", "string"}));
}

// A file with one tensor info and `data_bytes` of data, built by hand.
std::vector<uint8_t> one_tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type,
                                uint64_t offset, size_t data_bytes) {
    ByteBuilder b;
    b.u32(kMagic).u32(3).u64(1).u64(0).str(name).u32(uint32_t(ne.size()));
    for (auto d : ne) b.u64(d);
    b.u32(type).u64(offset).pad_to(32).zeros(data_bytes);
    return b.bytes();
}

TEST(Gguf, HandBuiltTensorParses) {
    const auto f = parse(one_tensor("w", {32, 2}, uint32_t(DType::Q8_0), 0, 68));
    ASSERT_EQ(f.tensors.size(), 1u);
    EXPECT_EQ(f.tensors[0].shape, (std::vector<int64_t>{2, 32}));
    EXPECT_EQ(f.tensors[0].nbytes, 68u);
}

TEST(Gguf, RejectsBadTensorDims) {
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {}, 0, 0, 64)),
                             {"tensor 'w'", "0 dimensions", "byte 33"}));
    EXPECT_TRUE(
        throws_error(parse_fn(one_tensor("w", {1, 1, 1, 1, 1}, 0, 0, 64)), {"5 dimensions"}));
    EXPECT_TRUE(
        throws_error(parse_fn(one_tensor("w", {4, 0}, 0, 0, 64)), {"dimension 1 = 0", "positive"}));
    EXPECT_TRUE(
        throws_error(parse_fn(one_tensor("w", {uint64_t(-3), 1}, 0, 0, 64)), {"dimension 0 = -3"}));
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {1ull << 32, 1ull << 32}, 0, 0, 64)),
                             {"more elements than fit"}));
    // Elements fit, bytes don't: 2^62 f32 values.
    EXPECT_TRUE(
        throws_error(parse_fn(one_tensor("w", {1ull << 31, 1ull << 31}, 0, 0, 64)), {"overflows"}));
}

TEST(Gguf, RejectsUnknownTensorTypesAndPartialBlocks) {
    for (uint32_t type : {4u, 5u, 16u, 999u}) {
        EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {32}, type, 0, 64)),
                                 {"unknown tensor type id " + std::to_string(type)}));
    }
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {33, 1}, uint32_t(DType::Q8_0), 0, 64)),
                             {"rows of 33", "q8_0"}));
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {896}, uint32_t(DType::Q4_K), 0, 1024)),
                             {"rows of 896", "q4_k", "256"}));
}

TEST(Gguf, RejectsBadTensorOffsets) {
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {4}, 0, 8, 64)),
                             {"offset 8 is not a multiple of the alignment 32"}));
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {4}, 0, 64, 64)),
                             {"tensor 'w' data", "past the end"}));
    EXPECT_TRUE(throws_error(parse_fn(one_tensor("w", {32}, 0, 0, 127)), {"past the end"}));
    // An offset so large that offset + size wraps around 64 bits.
    EXPECT_TRUE(
        throws_error(parse_fn(one_tensor("w", {4}, 0, ~uint64_t(31), 64)), {"past the end"}));
    EXPECT_TRUE(throws_error(parse_fn(one_tensor(std::string(65, 'n'), {4}, 0, 0, 64)),
                             {"tensor name length 65"}));
}

TEST(Gguf, RejectsOverlapAndDuplicateNames) {
    auto two = [](std::string_view a, uint64_t off_a, std::string_view b, uint64_t off_b) {
        ByteBuilder f;
        f.u32(kMagic).u32(3).u64(2).u64(0);
        f.str(a).u32(1).u64(16).u32(0).u64(off_a);  // 64 bytes of f32
        f.str(b).u32(1).u64(16).u32(0).u64(off_b);
        f.pad_to(32).zeros(256);
        return f.bytes();
    };
    EXPECT_NO_THROW(parse(two("a", 0, "b", 64)));
    EXPECT_TRUE(throws_error(parse_fn(two("a", 0, "b", 32)), {"'b' data overlaps tensor 'a'"}));
    EXPECT_TRUE(throws_error(parse_fn(two("a", 64, "b", 64)), {"overlaps"}));
    EXPECT_TRUE(throws_error(parse_fn(two("a", 0, "a", 64)),
                             {"duplicate tensor name 'a'", "first at byte 24"}));
}

TEST(Gguf, FileWithoutTensorsNeedsNoDataSection) {
    // A vocabulary-only file may end right after its metadata, without padding.
    auto b = one_key("tokenizer.ggml.model", uint32_t(GgufType::STRING));
    b.str("gpt2");
    ASSERT_NE(b.size() % 32, 0u);
    EXPECT_EQ(*parse(b.bytes()).find("tokenizer.ggml.model")->as_string(), "gpt2");
}

TEST(Gguf, WriterRejectsInconsistentInput) {
    GgufWriter w;
    EXPECT_THROW(w.add_tensor("t", DType::F32, {4}, iota_bytes(15)), Error);
    EXPECT_THROW(w.add_tensor("t", DType::Q8_0, {31}, iota_bytes(34)), Error);
    EXPECT_THROW(w.add_tensor("t", DType::F32, {}, iota_bytes(4)), Error);
    EXPECT_THROW(w.add_tensor("t", DType::F32, {0, 4}, std::vector<uint8_t>{}), Error);
    w.add_tensor("t", DType::F32, {1}, iota_bytes(4));
    EXPECT_THROW(w.add_tensor("t", DType::F32, {1}, iota_bytes(4)), Error);  // duplicate

    GgufWriter bad_value;
    GgufValue v = gv::u8(1);
    v.value = uint64_t(300);  // does not fit a u8
    bad_value.set("k", v);
    EXPECT_THROW(bad_value.to_bytes(), Error);

    GgufWriter mixed;
    mixed.set("k", gv::array(GgufType::INT32, {gv::i32(1), gv::u8(2)}));
    EXPECT_THROW(mixed.to_bytes(), Error);

    GgufWriter bad_align;
    bad_align.set("general.alignment", gv::u32(24));
    EXPECT_THROW(bad_align.to_bytes(), Error);
}

TEST(Gguf, WriterStreamsLazilyProducedTensorsToAFile) {
    const auto path = std::filesystem::path(QE_TEST_TMP_DIR) / "gguf_writer_stream.gguf";
    GgufWriter w;
    int produced = 0;
    w.add_tensor("lazy", DType::F32, {2, 3}, [&](std::vector<uint8_t>& out) {
        ++produced;
        out = iota_bytes(24, 9);
    });
    w.write_file(path.string());
    EXPECT_EQ(produced, 1);
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
    MappedFile mapped(path.string());
    const auto f = parse_gguf(mapped.bytes(), path.string());
    EXPECT_EQ(f.tensors[0].shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(std::memcmp(f.tensors[0].data, iota_bytes(24, 9).data(), 24), 0);
    std::filesystem::remove(path);
}

TEST(Gguf, WriterProducerOfWrongSizeFailsAndLeavesNoFile) {
    const auto path = std::filesystem::path(QE_TEST_TMP_DIR) / "gguf_writer_bad.gguf";
    GgufWriter w;
    w.add_tensor("lazy", DType::F32, {4}, [](std::vector<uint8_t>& out) { out.resize(3); });
    EXPECT_TRUE(throws_error([&] { w.write_file(path.string()); }, {"'lazy' produced 3 bytes"}));
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(Gguf, EveryGoldenFileParses) {
    const std::filesystem::path dir = QE_GOLDEN_DIR;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    // The golden README's families by file name prefix: g* qwen2, q3 qwen3, q35 qwen35.
    std::map<std::string, int> files;  // architecture -> files
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".gguf") continue;
        const std::string name = entry.path().filename().string();
        SCOPED_TRACE(name);
        MappedFile mapped(entry.path().string());
        const auto f = parse_gguf(mapped.bytes(), entry.path().string());
        EXPECT_EQ(f.version, 3u);
        const auto* arch_value = f.find("general.architecture");
        ASSERT_NE(arch_value, nullptr);
        const std::string arch = *arch_value->as_string();
        const std::string family = name.substr(0, name.find('-'));
        EXPECT_EQ(arch, family == "q3" ? "qwen3" : family == "q35" ? "qwen35" : "qwen2");
        ++files[arch];
        const TensorView* embd = f.tensor("token_embd.weight");
        ASSERT_NE(embd, nullptr);
        EXPECT_EQ(embd->shape[0], 3872);
        EXPECT_EQ(f.find("tokenizer.ggml.tokens")->as_array()->items.size(), 3872u);
        const auto* dim = f.find(arch + ".embedding_length");
        ASSERT_NE(dim, nullptr) << arch << ".embedding_length";
        EXPECT_EQ(dim->as_int(), embd->shape[1]);
    }
    EXPECT_EQ(files["qwen2"], 22);
    EXPECT_EQ(files["qwen3"], 4);
    EXPECT_EQ(files["qwen35"], 3);
}

}  // namespace
}  // namespace qe
