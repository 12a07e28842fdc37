// The parse stacks that the matcher and the token mask advance byte by byte.
//
// A state of the grammar is a set of stacks; each stack is a chain of frames in an append-only
// arena, so stacks share their common bottoms and a copy is a few indices. The top frame of a
// stack is always at a kBytes position (expanded), its lower frames at the kRule positions to
// return to. A rule reference in tail position pushes no frame, so right recursion (x*) keeps
// the stack flat. Rewinding is truncating the arena to an earlier size. A state holds at most
// kMaxStacks stacks: a grammar ambiguous enough to need more is an error (qe::Error), not a
// slowdown without end.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"

namespace qe::grammar {

inline constexpr size_t kMaxStacks = 4096;

struct Frame {
    uint32_t pos;    // kBytes position (a top) or kRule position to return past (below)
    int32_t parent;  // frame below, -1 for the root rule
    uint32_t after;  // fewest bytes that finish the document once this position is passed
};

class Stacks {
  public:
    explicit Stacks(const Grammar& g) : g_(&g), seen_(g.program.size(), 0) {}

    // The tops of the root rule's start; `accepting` is set when the root can match "".
    void start(std::vector<int32_t>& tops, bool& accepting);
    // Appends to `out` the tops after `byte` from tops[begin, end); `accepting` is set when a
    // stack finished the root rule with this byte. `tops` may be `out` itself.
    void step(const std::vector<int32_t>& tops, size_t begin, size_t end, uint8_t byte,
              std::vector<int32_t>& out, bool& accepting);

    // The fewest bytes that finish the document from these tops (kNever when there are none).
    uint32_t distance(const int32_t* tops, size_t n) const;

    const Frame& frame(int32_t i) const { return frames_[size_t(i)]; }
    size_t size() const { return frames_.size(); }
    void truncate(size_t n);
    // A frame for `pos` above `parent`, appended.
    int32_t push(uint32_t pos, int32_t parent);
    const Grammar& grammar() const { return *g_; }

  private:
    void expand(uint32_t pos, int32_t parent, std::vector<int32_t>& out, size_t out_begin,
                bool& accepting);

    const Grammar* g_;
    std::vector<Frame> frames_;
    // seen_[pos] == step_: a top at pos was made in this step, so a new one may repeat it.
    std::vector<uint32_t> seen_;
    uint32_t step_ = 0;
    // (pos, parent) -> frame: each frame is made once, so equal stacks have equal ids. Two
    // parses that reach the same stack merge (an ambiguous grammar stays polynomial), and the
    // token mask recognises a state by its tops alone.
    std::unordered_map<uint64_t, int32_t> shared_;
};

}  // namespace qe::grammar
