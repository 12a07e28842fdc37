// Writes named intermediate activations to a folder, so a divergence from another engine can be
// found layer by layer. Enabled by the environment variable QE_DUMP=<folder>.
//
// Each call writes <folder>/<name>@<start_pos>.f32 (float32 little-endian, row-major
// [rows][cols], one row per position) and appends "name start_pos rows cols" to
// <folder>/index.txt. Names: embd, blk.N.{attn_norm,q,k,v,q_rope,k_rope,attn_out,attn_proj,
// attn_resid,ffn_norm,ffn_gate,ffn_up,ffn_act,ffn_out,out}, output_norm, logits. The fast path
// writes all but ffn_gate (its gate is activated in place, in the same pass).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace qe {

class ActivationDump {
  public:
    explicit ActivationDump(std::string folder);  // creates the folder; qe::Error if it can't

    // nullptr unless QE_DUMP is set and not empty.
    static std::unique_ptr<ActivationDump> from_env();

    void write(std::string_view name, int start_pos, const float* data, int rows, int cols) const;

  private:
    std::string folder_;
};

// Writes when dump is not null: keeps the call sites in the forward pass to one line.
inline void dump(const ActivationDump* d, std::string_view name, int start_pos, const float* data,
                 int rows, int cols) {
    if (d) d->write(name, start_pos, data, rows, cols);
}

}  // namespace qe
