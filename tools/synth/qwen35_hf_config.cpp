#include "synth/qwen35_hf_config.h"

namespace qe::synth {

std::vector<int> mrope_sections(const Shape& s, bool gguf) {
    const int pairs = s.rope_dims / 2, third = pairs / 3;
    std::vector<int> out = {third + (pairs % 3 > 0), third + (pairs % 3 > 1), third};
    if (gguf) out.push_back(0);
    return out;
}

nlohmann::json qwen35_hf_config(const Shape& s, const SynthVocab& vocab, const char* torch_dtype,
                                const std::string& params) {
    nlohmann::json layer_types = nlohmann::json::array();
    for (int l = 0; l < s.layers; ++l)
        layer_types.push_back((l + 1) % s.attention_interval == 0 ? "full_attention"
                                                                  : "linear_attention");
    const nlohmann::json text = {
        {"attention_bias", false},
        {"attention_dropout", 0.0},
        {"attn_output_gate", true},
        {"bos_token_id", nullptr},
        {"dtype", torch_dtype},
        {"eos_token_id", vocab.im_end_id},
        {"full_attention_interval", s.attention_interval},
        {"head_dim", head_size(s)},
        {"hidden_act", "silu"},
        {"hidden_size", s.dim},
        {"initializer_range", 0.02},
        {"intermediate_size", s.ffn},
        {"layer_types", layer_types},
        {"linear_conv_kernel_dim", s.conv_kernel},
        {"linear_key_head_dim", s.delta_head_dim},
        {"linear_num_key_heads", s.delta_heads},
        {"linear_num_value_heads", s.delta_heads},
        {"linear_value_head_dim", s.delta_head_dim},
        {"mamba_ssm_dtype", "float32"},
        {"max_position_embeddings", s.context},
        {"mlp_only_layers", nlohmann::json::array()},
        {"model_type", "qwen3_5_text"},
        {"mtp_num_hidden_layers", 0},  // the real models have 1; this tool writes none
        {"mtp_use_dedicated_embeddings", false},
        {"num_attention_heads", s.heads},
        {"num_hidden_layers", s.layers},
        {"num_key_value_heads", s.kv_heads},
        {"pad_token_id", nullptr},
        {"partial_rotary_factor", double(s.rope_dims) / head_size(s)},
        {"rms_norm_eps", json_decimal(s.rms_eps)},
        {"rope_parameters",
         {{"mrope_interleaved", true},
          {"mrope_section", mrope_sections(s, false)},
          {"partial_rotary_factor", double(s.rope_dims) / head_size(s)},
          {"rope_theta", json_decimal(s.rope_theta)},
          {"rope_type", "default"}}},
        {"use_cache", true},
        {"vocab_size", s.vocab}};
    const nlohmann::json vision = {{"deepstack_visual_indexes", nlohmann::json::array()},
                                   {"depth", 12},
                                   {"hidden_act", "gelu_pytorch_tanh"},
                                   {"hidden_size", 768},
                                   {"in_channels", 3},
                                   {"initializer_range", 0.02},
                                   {"intermediate_size", 3072},
                                   {"model_type", "qwen3_5"},
                                   {"num_heads", 12},
                                   {"num_position_embeddings", 2304},
                                   {"out_hidden_size", s.dim},
                                   {"patch_size", 16},
                                   {"spatial_merge_size", 2},
                                   {"temporal_patch_size", 2}};
    // The vision token ids are the real vocabulary's (this tool's vocabulary is Qwen3's).
    return {{"architectures", {"Qwen3_5ForConditionalGeneration"}},
            {"image_token_id", 248056},
            {"model_type", "qwen3_5"},
            {"text_config", text},
            {"tie_word_embeddings", s.tied},
            {"transformers_version", "4.57.0.dev0"},
            {"video_token_id", 248057},
            {"vision_config", vision},
            {"vision_end_token_id", 248054},
            {"vision_start_token_id", 248053},
            {"qwen_edge_synth", params}};
}

}  // namespace qe::synth
