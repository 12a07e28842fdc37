#include "grammar/trie_walk.h"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace qe::grammar {

namespace {

// A copy of `m`'s stacks (only the frames its tops reach) in a fresh arena.
std::vector<int32_t> import_tops(const Matcher& m, Stacks& into) {
    std::unordered_map<int32_t, int32_t> copied;
    auto copy = [&](auto& self, int32_t f) -> int32_t {
        if (f < 0) return -1;
        if (auto it = copied.find(f); it != copied.end()) return it->second;
        const Frame& src = m.stacks().frame(f);
        const int32_t parent = self(self, src.parent);
        const int32_t mine = into.push(src.pos, parent);
        copied.emplace(f, mine);
        return mine;
    };
    std::vector<int32_t> tops;
    for (int32_t top : m.tops()) tops.push_back(copy(copy, top));
    return tops;
}

}  // namespace

WalkResult walk_trie(const TokenTrie& trie, const Matcher& m, uint32_t limit) {
    const auto& nodes = trie.nodes();
    const auto& ids = trie.ids();
    WalkResult out;
    out.bits.assign((size_t(trie.vocab_size()) + 63) / 64, 0);

    const Grammar& g = m.grammar();
    Stacks stacks(g);
    // The walk meets few distinct states: inside a string, every ASCII letter leads back to
    // the same one. States are interned by their tops (frames are shared, so equal stacks have
    // equal ids), and each (state, which of its tops accept the byte) transition is stepped
    // once; most trie nodes then cost a few bit tests and a lookup.
    struct State {
        uint32_t begin, end;  // its tops: pool[begin, end)
        uint32_t distance;    // bytes left to finish; kNever for a dead state
    };
    std::vector<State> states;
    std::vector<int32_t> pool;
    std::unordered_map<std::string, uint32_t> interned;
    // (state, byte) -> state, filled as the walk meets them: the common case is one load.
    constexpr uint32_t kUnknown = kNever, kDead = kNever - 1;
    std::vector<uint32_t> by_byte;
    auto intern = [&](const std::vector<int32_t>& tops, bool accepting) -> uint32_t {
        std::string key(reinterpret_cast<const char*>(tops.data()), tops.size() * sizeof(int32_t));
        key += accepting ? 'a' : 'n';
        const auto [it, fresh] = interned.try_emplace(std::move(key), uint32_t(states.size()));
        if (!fresh) return it->second;
        const uint32_t begin = uint32_t(pool.size());
        pool.insert(pool.end(), tops.begin(), tops.end());
        const uint32_t distance = accepting ? 0 : stacks.distance(tops.data(), tops.size());
        states.push_back({begin, uint32_t(pool.size()), distance});
        by_byte.resize(states.size() * 256, kUnknown);
        return it->second;
    };
    struct Transition {
        uint32_t state;
        uint64_t matched;
        bool operator==(const Transition&) const = default;
    };
    struct TransitionHash {
        size_t operator()(const Transition& t) const {
            return std::hash<uint64_t>()(t.matched * 0x9E3779B97F4A7C15ull ^ t.state);
        }
    };
    std::unordered_map<Transition, uint32_t, TransitionHash> transitions;
    constexpr uint64_t kTooManyTops = ~uint64_t(0);

    std::vector<int32_t> next;
    auto transition = [&](uint32_t from, uint8_t byte) -> uint32_t {
        const State s = states[from];
        uint64_t matched = kTooManyTops;
        if (s.end - s.begin < 64) {
            matched = 0;
            for (uint32_t t = s.begin; t < s.end; ++t) {
                const Element e = g.program[stacks.frame(pool[t]).pos];
                if (g.byte_sets[e.index].has(byte)) matched |= uint64_t(1) << (t - s.begin);
            }
            if (matched == 0) return kDead;
            const auto known = transitions.find({from, matched});
            if (known != transitions.end()) return known->second;
        }
        next.clear();
        bool accepting = false;
        stacks.step(pool, s.begin, s.end, byte, next, accepting);
        ++out.steps;
        const uint32_t to = intern(next, accepting);
        if (matched != kTooManyTops) transitions.emplace(Transition{from, matched}, to);
        return to;
    };

    std::vector<uint32_t> level(trie.max_depth() + 1);  // the state after each depth's byte
    level[0] = intern(import_tops(m, stacks), m.accepting());
    for (uint32_t i = 1; i < nodes.size();) {
        const TokenTrie::Node& node = nodes[i];
        const uint32_t from = level[node.depth - 1];
        const size_t slot = size_t(from) * 256 + node.byte;
        uint32_t to = by_byte[slot];
        if (to == kUnknown) {
            to = transition(from, node.byte);  // may grow by_byte
            by_byte[slot] = to;
        }
        if (to == kDead) {
            i = node.end;  // no top accepts the byte: nothing below this prefix is allowed
            continue;
        }
        const State& t = states[to];
        if (t.distance == kNever) {
            i = node.end;  // no token below this prefix can be allowed
            continue;
        }
        level[node.depth] = to;
        if (node.tokens_begin != node.tokens_end && t.distance <= limit) {
            out.max_after = std::max(out.max_after, t.distance);
            for (uint32_t k = node.tokens_begin; k < node.tokens_end; ++k) {
                out.bits[size_t(ids[k]) >> 6] |= uint64_t(1) << (ids[k] & 63);
            }
        }
        ++i;
    }
    return out;
}

}  // namespace qe::grammar
