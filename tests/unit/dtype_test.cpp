#include "core/dtype.h"

#include <gtest/gtest.h>

namespace qe {
namespace {

TEST(DType, KnownIdsAndSizes) {
    ASSERT_NE(dtype_info(8), nullptr);
    EXPECT_EQ(dtype_info(8)->name, "q8_0");
    EXPECT_EQ(dtype_info(DType::Q6_K).block_bytes, 210u);
    EXPECT_EQ(dtype_info(DType::BF16).block_elems, 1);
    EXPECT_EQ(dtype_info(4), nullptr);  // Q4_2 was removed from GGUF
    EXPECT_EQ(dtype_info(999), nullptr);
}

TEST(DType, RowBytesRequiresWholeBlocks) {
    EXPECT_EQ(row_bytes(DType::Q4_0, 896), 28u * 18u);
    EXPECT_EQ(row_bytes(DType::Q4_K, 896), std::nullopt);  // 896 is not a multiple of 256
    EXPECT_EQ(row_bytes(DType::F16, 3), 6u);
    EXPECT_EQ(row_bytes(DType::F32, -1), std::nullopt);
}

TEST(DType, NamesRoundTrip) {
    for (uint32_t id = 0; id < 64; ++id) {
        const auto* info = dtype_info(id);
        if (!info) continue;
        EXPECT_EQ(dtype_from_name(info->name), info->type);
    }
    EXPECT_EQ(dtype_from_name("q9_9"), std::nullopt);
}

}  // namespace
}  // namespace qe
