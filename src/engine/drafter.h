// Speculative decoding's proposer: guesses the tokens likely to follow a sequence, so that one
// forward pass of the model can check several of them at once (a pass over a few tokens costs
// about as much as over one, since it reads the weights once). A wrong guess costs only the
// extra rows of that pass: the engine keeps the proposals the model agrees with and takes the
// state back past the first one it rejects.
//
// Proposals are deterministic (no draft distribution): the acceptance rule for sampling then
// keeps a proposal with the target's probability of it (Sampler::verify), which leaves the
// output's distribution that of plain decoding.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace qe {

class Drafter {
  public:
    virtual ~Drafter() = default;
    // Up to `max` tokens to follow `sequence` (the job's prompt and the answer so far, the last
    // token included); fewer or none when it has no good guess. On the engine thread.
    virtual std::vector<int> propose(std::span<const int> sequence, int max) = 0;
    // How many of the last proposals the model accepted (adaptive draft lengths).
    virtual void feedback(int proposed, int accepted) {
        (void)proposed;
        (void)accepted;
    }
};

// Makes one job's drafter (each job has its own: a drafter may keep per-sequence state).
using DrafterFactory = std::function<std::unique_ptr<Drafter>()>;

}  // namespace qe
