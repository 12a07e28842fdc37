// Takes the tool calls out of a streamed answer's content: `<tool_call>…</tool_call>` blocks
// (chat/tool_call_parser.h reads each) become calls, the text before the first call stays
// content. Works on decoded text, so a tag may come as one added token or spread over several
// pieces: a tail that may still become `<tool_call>` is held back until it is certain either way,
// and a half-written block never reaches the content.
//
// What is content (as vLLM's parser for Qwen's format):
// - the text before the first call, without the whitespace right before it;
// - a block that does not read as a call, or is cut off by the answer's end, before any call was
//   read: its text, as written (a client shows what the model said);
// - nothing after the first call: later text and broken blocks are dropped (Qwen3.5's template
//   tells the model to write nothing after its calls), later calls are read.
// All content comes before any call.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "chat/tool_call_parser.h"

namespace qe {

class ToolCallSplitter {
  public:
    // `tools`: the request's tools, for the types of XML-form parameters (tool_call_parser.h).
    explicit ToolCallSplitter(nlohmann::ordered_json tools = nullptr) : tools_(std::move(tools)) {}

    struct Pieces {
        std::string content;          // the next piece of content
        std::vector<ToolCall> calls;  // calls completed by this piece (after `content`)
    };

    Pieces push(std::string_view text);
    // The end of the answer: releases what was held back.
    Pieces finish();

    static constexpr std::string_view kOpen = "<tool_call>";
    static constexpr std::string_view kClose = "</tool_call>";

  private:
    enum class State {
        Content,    // before any call
        InBlock,    // pending_ starts with <tool_call>
        AfterCall,  // a call was read: only further blocks count
    };
    void run(Pieces& out, bool end);
    // A block that is not a call, or is unfinished: content before any call, else nothing.
    void release_unread(Pieces& out, std::string_view block);

    nlohmann::ordered_json tools_;
    State state_ = State::Content;
    std::string pending_;  // text not yet released
    std::string space_;    // the whitespace between the content and a block
    bool read_a_call_ = false;
};

}  // namespace qe
