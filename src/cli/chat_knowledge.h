// `qwen-edge chat --kb NAME`: each question searched in the base, the passages put into the
// prompt (chat/passages_prompt.h, as the server does), and the sources listed under the answer.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/passages_prompt.h"
#include "cli/kb_models.h"
#include "knowledge/knowledge_base.h"
#include "tokenizer/tokenizer.h"

namespace qe::cli {

class ChatKnowledge {
  public:
    // Opens the base (qe::Error when there is none) with the models of `args`.
    ChatKnowledge(const KbModelArgs& args, const std::string& base, int top_k);

    // Puts the best passages for the last user message into `messages`, within the context;
    // returns those used, [1] first.
    std::vector<Passage> add(nlohmann::ordered_json& messages, const Tokenizer& tokenizer,
                             int n_ctx, int answer_room);

    // "Sources:" and one line per passage ("[1] file, p. 4, heading"), or a line saying that
    // nothing was found.
    static std::string sources(const std::vector<Passage>& used);

  private:
    KbModels models_;
    std::unique_ptr<knowledge::KnowledgeBase> base_;
    int top_k_;
};

}  // namespace qe::cli
