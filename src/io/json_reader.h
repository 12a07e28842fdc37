// A small pull reader for JSON text, for the one large JSON file on the start-up path:
// tokenizer.json (11 MB, 151k vocabulary entries and 151k merges). It streams values straight
// into the vocabulary without building a document, about five times faster than
// nlohmann::json's SAX interface here; small sub-objects are handed to nlohmann via skip_value().
// Strict RFC 8259 syntax; every error throws qe::Error with the file name and byte offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qe {

class JsonReader {
  public:
    enum class Type { kObject, kArray, kString, kNumber, kBool, kNull };

    JsonReader(std::string_view text, std::string name) : text_(text), name_(std::move(name)) {}

    // Type of the next value (skips whitespace).
    Type peek();

    // Objects: begin_object(), then next_key() until it returns false; read each value between.
    void begin_object();
    bool next_key(std::string& key);
    // Arrays: begin_array(), then next_item() until it returns false; read each value between.
    void begin_array();
    bool next_item();

    void read_string(std::string& out);
    int64_t read_int();  // an integer without fraction or exponent
    bool read_bool();
    void read_null();
    // Skips any value and returns its text.
    std::string_view skip_value();

    // After the top-level value: only whitespace may follow.
    void finish();

    [[noreturn]] void fail(const std::string& what) const;
    size_t offset() const { return pos_; }

  private:
    void skip_space();
    void expect(char c);
    bool consume(char c);
    void skip_string();
    void skip_number();
    void skip_literal(std::string_view word);
    uint32_t read_hex4();

    std::string_view text_;
    std::string name_;
    size_t pos_ = 0;
    std::vector<bool> first_;  // per open container: no element read yet
};

}  // namespace qe
