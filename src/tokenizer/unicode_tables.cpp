#include "tokenizer/unicode_tables.h"

#include <algorithm>

namespace qe::unicode {

bool assigned_in_unicode9(char32_t cp) {
    const char32_t* end = kAssignedInUnicode9 + kAssignedInUnicode9Size;
    // The number of list entries <= cp is odd exactly inside an assigned range.
    return (std::upper_bound(kAssignedInUnicode9, end, cp) - kAssignedInUnicode9) % 2 == 1;
}

// The L* and N* code points that Unicode 15.1 (CJK Extension I) and 16.0 (Garay, Todhri, Kirat Rai,
// Gurung Khema, Ol Onal, Sunuwar, Tulu-Tigalari, Egyptian hieroglyph extensions, ...) added: the
// difference between utf8proc and the reference in tests/golden/tokenizer/unicode_classes.txt,
// whose test keeps this list honest.
const CategoryRange kUnicode16Additions[] = {
    {0x01C89, 0x01C8A, true},  {0x0A7CB, 0x0A7CD, true},  {0x0A7DA, 0x0A7DC, true},
    {0x105C0, 0x105F3, true},  {0x10D40, 0x10D49, false}, {0x10D4A, 0x10D65, true},
    {0x10D6F, 0x10D85, true},  {0x10EC2, 0x10EC4, true},  {0x11380, 0x11389, true},
    {0x1138B, 0x1138B, true},  {0x1138E, 0x1138E, true},  {0x11390, 0x113B5, true},
    {0x113B7, 0x113B7, true},  {0x113D1, 0x113D1, true},  {0x113D3, 0x113D3, true},
    {0x116D0, 0x116E3, false}, {0x11BC0, 0x11BE0, true},  {0x11BF0, 0x11BF9, false},
    {0x13460, 0x143FA, true},  {0x16100, 0x1611D, true},  {0x16130, 0x16139, false},
    {0x16D40, 0x16D6C, true},  {0x16D70, 0x16D79, false}, {0x18CFF, 0x18CFF, true},
    {0x1CCF0, 0x1CCF9, false}, {0x1E5D0, 0x1E5ED, true},  {0x1E5F0, 0x1E5F0, true},
    {0x1E5F1, 0x1E5FA, false}, {0x2EBF0, 0x2EE5D, true},
};
const size_t kUnicode16AdditionsSize = sizeof(kUnicode16Additions) / sizeof(CategoryRange);

}  // namespace qe::unicode
