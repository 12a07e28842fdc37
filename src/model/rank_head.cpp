#include "model/rank_head.h"

#include <cmath>
#include <optional>

#include "core/error.h"
#include "io/gguf.h"
#include "model/loaded_model.h"
#include "quant/quant.h"

namespace qe {
namespace {

constexpr int64_t kRankPooling = 4;  // llama.cpp's LLAMA_POOLING_TYPE_RANK

std::string pooling_name(int64_t type) {
    switch (type) {
        case 0:
            return "none";
        case 1:
            return "mean";
        case 2:
            return "cls";
        case 3:
            return "last";
        case 4:
            return "rank";
        default:
            return "unknown";
    }
}

// Row `row` of a matrix of any type, as floats.
std::vector<float> matrix_row(const TensorView& t, int64_t row) {
    const auto size = row_bytes(t.dtype, t.cols());
    if (!size || row < 0 || row >= t.rows())
        throw Error("tensor " + t.name + ": no row " + std::to_string(row));
    std::vector<float> out(size_t(t.cols()));
    dequantize_row(t.dtype, static_cast<const uint8_t*>(t.data) + size_t(row) * *size, out.data(),
                   t.cols());
    return out;
}

// The id of the ordinary token whose bytes are exactly `text` ("yes"), or -1.
int ordinary_token(const Tokenizer& tokenizer, std::string_view text) {
    const Vocab& v = tokenizer.vocab();
    for (int32_t id = 0; id < v.size(); ++id)
        if (v.kinds[size_t(id)] == TokenKind::kNormal && v.tokens[size_t(id)] == text) return id;
    return -1;
}

RankHead full_head(const LoadedModel& model) {
    if (!model.has_tokenizer())
        throw Error("the yes/no rows of the output head need the tokenizer: " +
                    model.tokenizer_error());
    const int yes = ordinary_token(model.tokenizer(), "yes");
    const int no = ordinary_token(model.tokenizer(), "no");
    if (yes < 0 || no < 0)
        throw Error("the vocabulary has no single \"yes\" and \"no\" tokens to score with");
    const TensorView& head = model.weights().output;
    RankHead h;
    h.yes = matrix_row(head, yes);
    h.no = matrix_row(head, no);
    h.source =
        head.name + " rows " + std::to_string(yes) + " (yes) and " + std::to_string(no) + " (no)";
    return h;
}

// Row 0 "yes", row 1 "no" unless the labels say otherwise.
RankHead classifier_head(const LoadedModel& model, const GgufFile& gguf) {
    const ModelFile& file = model.file();
    const std::string arch = model.config().architecture;
    if (file.find("cls.weight"))
        throw Error(
            "pooling_type 4 (rank) with a dense layer before the classifier (cls.weight, "
            "a BERT-style reranker) is not supported: only Qwen3-Reranker's 2-row "
            "cls.output head is");
    const TensorView* cls = file.find("cls.output.weight");
    if (!cls)
        throw Error(
            "pooling_type 4 (rank) but no cls.output.weight: the classifier head is "
            "missing");
    const int64_t dim = model.config().dim;
    if (cls->shape.size() != 2 || cls->shape[1] != dim || cls->shape[0] != 2)
        throw Error("cls.output.weight is " + std::to_string(cls->rows()) + " x " +
                    std::to_string(cls->cols()) + ": only a 2-row yes/no head [2, " +
                    std::to_string(dim) + "] (Qwen3-Reranker's) is supported");
    int yes_row = 0, no_row = 1;
    if (const GgufValue* v = gguf.find(arch + ".classifier.output_labels")) {
        const GgufArray* labels = v->as_array();
        std::vector<std::string> names;
        if (labels)
            for (const GgufValue& item : labels->items)
                names.push_back(item.as_string() ? *item.as_string() : "?");
        if (names.size() != 2 ||
            !((names[0] == "yes" && names[1] == "no") || (names[0] == "no" && names[1] == "yes"))) {
            std::string found;
            for (const std::string& n : names) found += (found.empty() ? "\"" : ", \"") + n + "\"";
            throw Error(arch + ".classifier.output_labels must be [\"yes\", \"no\"] " +
                        "(Qwen3-Reranker's), not [" + found + "]");
        }
        if (names[0] == "no") std::swap(yes_row, no_row);
    }
    RankHead h;
    h.yes = matrix_row(*cls, yes_row);
    h.no = matrix_row(*cls, no_row);
    if (const TensorView* bias = file.find("cls.output.bias")) {
        if (bias->elements() != 2)
            throw Error("cls.output.bias has " + std::to_string(bias->elements()) +
                        " values, not 2");
        std::vector<float> b(2);
        dequantize_row(bias->dtype, bias->data, b.data(), 2);
        h.yes_bias = b[size_t(yes_row)];
        h.no_bias = b[size_t(no_row)];
    }
    h.source = "cls.output.weight";
    return h;
}

}  // namespace

double RankHead::score(std::span<const float> hidden) const {
    double yes_logit = yes_bias, no_logit = no_bias;
    for (size_t d = 0; d < hidden.size() && d < yes.size(); ++d) {
        yes_logit += double(yes[d]) * hidden[d];
        no_logit += double(no[d]) * hidden[d];
    }
    return 1.0 / (1.0 + std::exp(no_logit - yes_logit));
}

RankHead read_rank_head(const LoadedModel& model) {
    const std::string& arch = model.config().architecture;
    try {
        if (arch != "qwen3")
            throw Error("architecture " + arch +
                        " is not a supported reranker: only qwen3 (Qwen3-Reranker) is");
        std::optional<int64_t> pooling;
        const GgufFile* gguf = model.file().gguf();
        if (gguf)
            if (const GgufValue* v = gguf->find(arch + ".pooling_type")) {
                pooling = v->as_int();
                if (!pooling) throw Error(arch + ".pooling_type is not an integer");
            }
        if (!pooling) return full_head(model);
        if (*pooling == kRankPooling) return classifier_head(model, *gguf);
        throw Error("pooling_type " + std::to_string(*pooling) + " (" + pooling_name(*pooling) +
                    ") is not a reranker's: a reranker file has pooling_type 4 (rank) or none");
    } catch (const Error& e) {
        throw Error(model.id() + ": " + e.what());
    }
}

}  // namespace qe
