#include "grammar/stacks.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace qe::grammar {

namespace {

uint64_t key_of(uint32_t pos, int32_t parent) {
    return (uint64_t(pos) << 32) | uint32_t(parent);
}

}  // namespace

void Stacks::truncate(size_t n) {
    for (size_t f = n; f < frames_.size(); ++f)
        shared_.erase(key_of(frames_[f].pos, frames_[f].parent));
    frames_.resize(n);
}

int32_t Stacks::push(uint32_t pos, int32_t parent) {
    const auto [it, fresh] = shared_.try_emplace(key_of(pos, parent), int32_t(frames_.size()));
    if (!fresh) return it->second;
    const uint32_t below = parent < 0 ? 0 : frames_[size_t(parent)].after;
    frames_.push_back({pos, parent, add_saturated(g_->min_rest[pos + 1], below)});
    return int32_t(frames_.size() - 1);
}

void Stacks::expand(uint32_t pos, int32_t parent, std::vector<int32_t>& out, size_t out_begin,
                    bool& accepting) {
    const std::vector<Element>& program = g_->program;
    for (;;) {
        const Element e = program[pos];
        if (e.kind == ElementKind::kEnd) {
            if (parent < 0) {
                accepting = true;
                return;
            }
            const Frame& f = frames_[size_t(parent)];
            pos = f.pos + 1;
            parent = f.parent;
            continue;
        }
        if (e.kind == ElementKind::kBytes) {
            // Two paths to the same position over the same stack continue identically; the
            // stamp makes the search rare.
            if (seen_[pos] == step_) {
                for (size_t i = out_begin; i < out.size(); ++i) {
                    const Frame& t = frames_[size_t(out[i])];
                    if (t.pos == pos && t.parent == parent) return;
                }
            }
            seen_[pos] = step_;
            if (out.size() - out_begin >= kMaxStacks) {
                throw Error("grammar: more than " + std::to_string(kMaxStacks) +
                            " parses at once (the grammar is too ambiguous)");
            }
            out.push_back(push(pos, parent));
            return;
        }
        // A reference in tail position returns straight to our parent: no frame.
        const int32_t below =
            program[pos + 1].kind == ElementKind::kEnd ? parent : push(pos, parent);
        for (uint32_t alt : g_->alts[e.index]) expand(alt, below, out, out_begin, accepting);
        return;
    }
}

void Stacks::start(std::vector<int32_t>& tops, bool& accepting) {
    accepting = false;
    ++step_;
    for (uint32_t alt : g_->alts[g_->root]) expand(alt, -1, tops, tops.size(), accepting);
}

void Stacks::step(const std::vector<int32_t>& tops, size_t begin, size_t end, uint8_t byte,
                  std::vector<int32_t>& out, bool& accepting) {
    const size_t out_begin = out.size();
    if (++step_ == 0) {  // the stamps wrapped around: forget them all
        std::fill(seen_.begin(), seen_.end(), 0);
        step_ = 1;
    }
    for (size_t i = begin; i < end; ++i) {
        // By index: appending to `out` may move `tops` when they are one vector.
        // Copied: expand appends to frames_, which may move it.
        const Frame top = frames_[size_t(tops[i])];
        const Element e = g_->program[top.pos];
        if (!g_->byte_sets[e.index].has(byte)) continue;
        expand(top.pos + 1, top.parent, out, out_begin, accepting);
    }
}

uint32_t Stacks::distance(const int32_t* tops, size_t n) const {
    uint32_t best = kNever;
    for (size_t i = 0; i < n; ++i) {
        best = std::min(best, add_saturated(frames_[size_t(tops[i])].after, 1));
    }
    return best;
}

}  // namespace qe::grammar
