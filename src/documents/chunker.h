// Blocks into chunks that follow the document: a heading starts a new chunk (and sets the
// heading path of those after it), so does a new page; paragraphs are packed whole while they
// fit, and split at sentence ends (。！？；.!?; and line breaks) before anything is cut; a table
// row stays whole ("header: value; ..."). Only a sentence or row longer than a chunk is cut, at a
// character boundary. A chunk that ends because it is full repeats the last whole sentences of
// its predecessor (up to overlap_tokens) at its start, so a fact at the seam is in both.
#pragma once

#include <string_view>
#include <vector>

#include "documents/blocks.h"
#include "documents/chunk.h"

namespace qe::documents {

struct ChunkOptions {
    int max_tokens = 450;     // estimate_tokens() of a chunk's text never exceeds this
    int overlap_tokens = 50;  // at most this much of the previous chunk is repeated
};

std::vector<Chunk> chunk_blocks(const std::vector<Block>& blocks, const ChunkOptions& options = {});

// A paragraph's sentences, each with its end mark, closing quotes and the white space after it;
// concatenated they give `text` back.
std::vector<std::string_view> split_sentences(std::string_view text);

}  // namespace qe::documents
