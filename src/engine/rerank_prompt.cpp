#include "engine/rerank_prompt.h"

#include "core/error.h"
#include "io/gguf.h"
#include "model/loaded_model.h"
#include "tokenizer/tokenizer.h"

namespace qe {
namespace {

constexpr std::string_view kQueryMark = "{query}", kDocumentMark = "{document}",
                           kInstructionMark = "{instruction}";

}  // namespace

std::string_view qwen3_rerank_template() {
    return "<|im_start|>system\nJudge whether the Document meets the requirements based on the "
           "Query and the Instruct provided. Note that the answer can only be \"yes\" or "
           "\"no\".<|im_end|>\n<|im_start|>user\n<Instruct>: {instruction}\n<Query>: {query}\n"
           "<Document>: {document}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";
}

std::string rerank_template(const LoadedModel& model) {
    const GgufFile* gguf = model.file().gguf();
    const GgufValue* v = gguf ? gguf->find("tokenizer.chat_template.rerank") : nullptr;
    if (!v) return std::string(qwen3_rerank_template());
    const std::string* text = v->as_string();
    if (!text || text->find(kQueryMark) == std::string::npos ||
        text->find(kDocumentMark) == std::string::npos)
        throw Error(model.id() +
                    ": tokenizer.chat_template.rerank must be a text with {query} and {document}");
    return *text;
}

std::vector<int> rerank_prompt_ids(const Tokenizer& tokenizer, std::string_view tmpl,
                                   std::string_view query, std::string_view document,
                                   const std::optional<std::string>& instruction) {
    if (instruction && tmpl.find(kInstructionMark) == std::string_view::npos)
        tmpl = qwen3_rerank_template();
    const std::string_view instruction_text =
        instruction ? std::string_view(*instruction) : kDefaultRerankInstruction;
    std::vector<TextPiece> pieces;
    size_t from = 0;
    for (size_t at = tmpl.find('{'); at != std::string_view::npos; at = tmpl.find('{', at + 1)) {
        const std::string_view rest = tmpl.substr(at);
        std::string_view mark, value;
        if (rest.starts_with(kQueryMark))
            mark = kQueryMark, value = query;
        else if (rest.starts_with(kDocumentMark))
            mark = kDocumentMark, value = document;
        else if (rest.starts_with(kInstructionMark))
            mark = kInstructionMark, value = instruction_text;
        else
            continue;
        pieces.push_back({tmpl.substr(from, at - from), SpecialTokens::kParse});
        pieces.push_back({value, SpecialTokens::kAsText});
        from = at + mark.size();
        at = from - 1;
    }
    pieces.push_back({tmpl.substr(from), SpecialTokens::kParse});
    const std::vector<int32_t> ids = tokenizer.encode_pieces(pieces);
    return {ids.begin(), ids.end()};
}

}  // namespace qe
