#include "documents/text_decoding.h"

#include <iconv.h>

#include <cerrno>

#include "core/utf8.h"
#include "documents/skip_reason.h"

namespace qe::documents {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";

// Closes the conversion descriptor on every way out.
struct Iconv {
    iconv_t cd;
    explicit Iconv(const char* from) : cd(iconv_open("UTF-8", from)) {}
    ~Iconv() {
        if (cd != iconv_t(-1)) iconv_close(cd);
    }
};

bool try_convert(std::string_view bytes, const char* charset, std::string& out) {
    Iconv conv(charset);
    if (conv.cd == iconv_t(-1)) return false;
    out.clear();
    out.reserve(bytes.size() * 3 / 2 + 16);
    char* in = const_cast<char*>(bytes.data());
    size_t in_left = bytes.size();
    char buffer[16384];
    while (in_left > 0) {
        char* dst = buffer;
        size_t dst_left = sizeof buffer;
        const size_t rc = iconv(conv.cd, &in, &in_left, &dst, &dst_left);
        out.append(buffer, dst - buffer);
        if (rc == size_t(-1) && errno != E2BIG) return false;  // EILSEQ, or EINVAL: a cut tail
    }
    return true;
}

// Binary data decodes to NULs and control characters that text does not hold.
bool looks_like_text(std::string_view utf8) {
    size_t controls = 0;
    for (const char c : utf8) {
        const auto b = static_cast<unsigned char>(c);
        if (b == 0) return false;
        if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f') ++controls;
    }
    return controls * 100 <= utf8.size();
}

}  // namespace

TextEncoding detect_encoding(std::string_view bytes) {
    if (bytes.starts_with(kUtf8Bom)) return TextEncoding::kUtf8;
    if (bytes.starts_with(kUtf16LeBom)) return TextEncoding::kUtf16Le;
    if (bytes.starts_with(kUtf16BeBom)) return TextEncoding::kUtf16Be;
    if (utf8::find_invalid(bytes) == std::string_view::npos) return TextEncoding::kUtf8;
    std::string ignored;
    if (try_convert(bytes, "GB18030", ignored)) return TextEncoding::kGb18030;
    throw DocumentError(SkipReason::kNotText,
                        "not text: the bytes are neither UTF-8, UTF-16 with a BOM nor GB18030");
}

std::string convert_to_utf8(std::string_view bytes, const char* charset) {
    std::string out;
    if (!try_convert(bytes, charset, out)) {
        throw DocumentError(SkipReason::kNotText,
                            std::string("not text: the bytes are not valid ") + charset);
    }
    return out;
}

std::string normalize_line_ends(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r') {
            out.push_back(text[i]);
        } else {
            out.push_back('\n');
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        }
    }
    return out;
}

std::string decode_text(std::string_view bytes) {
    std::string utf8;
    switch (detect_encoding(bytes)) {
        case TextEncoding::kUtf8:
            // A BOM says UTF-8 even where a byte is wrong: that byte becomes U+FFFD.
            if (bytes.starts_with(kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
            utf8::append_lossy(bytes, utf8);
            break;
        case TextEncoding::kUtf16Le:
            utf8 = convert_to_utf8(bytes.substr(2), "UTF-16LE");
            break;
        case TextEncoding::kUtf16Be:
            utf8 = convert_to_utf8(bytes.substr(2), "UTF-16BE");
            break;
        case TextEncoding::kGb18030:
            utf8 = convert_to_utf8(bytes, "GB18030");
            break;
    }
    if (!looks_like_text(utf8)) {
        throw DocumentError(SkipReason::kNotText,
                            "not text: binary data (NUL or control characters) under a text name");
    }
    return normalize_line_ends(utf8);
}

}  // namespace qe::documents
