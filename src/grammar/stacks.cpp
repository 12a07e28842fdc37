#include "grammar/stacks.h"

#include <algorithm>

namespace qe::grammar {

int32_t Stacks::push(uint32_t pos, int32_t parent) {
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
            // Two paths to the same position over the same stack continue identically.
            for (size_t i = out_begin; i < out.size(); ++i) {
                const Frame& t = frames_[size_t(out[i])];
                if (t.pos == pos && t.parent == parent) return;
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
    for (uint32_t alt : g_->alts[g_->root]) expand(alt, -1, tops, tops.size(), accepting);
}

void Stacks::step(const std::vector<int32_t>& tops, size_t begin, size_t end, uint8_t byte,
                  std::vector<int32_t>& out, bool& accepting) {
    const size_t out_begin = out.size();
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
