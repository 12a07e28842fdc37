#include "model/file_type.h"

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace qe {
namespace {

constexpr std::array<std::pair<int, std::string_view>, 17> kFileTypes = {{
    {0, "F32"},
    {1, "F16"},
    {2, "Q4_0"},
    {3, "Q4_1"},
    {7, "Q8_0"},
    {8, "Q5_0"},
    {9, "Q5_1"},
    {10, "Q2_K"},
    {11, "Q3_K_S"},
    {12, "Q3_K_M"},
    {13, "Q3_K_L"},
    {14, "Q4_K_S"},
    {15, "Q4_K_M"},
    {16, "Q5_K_S"},
    {17, "Q5_K_M"},
    {18, "Q6_K"},
    {32, "BF16"},
}};

}  // namespace

std::optional<std::string_view> file_type_name(int id) {
    for (const auto& [i, name] : kFileTypes)
        if (i == id) return name;
    return std::nullopt;
}

std::optional<int> file_type_from_name(std::string_view name) {
    std::string upper(name);
    for (auto& ch : upper) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    for (const auto& [i, n] : kFileTypes)
        if (n == upper) return i;
    return std::nullopt;
}

}  // namespace qe
