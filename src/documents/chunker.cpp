#include "documents/chunker.h"

#include <algorithm>

#include "core/utf8.h"
#include "documents/token_estimate.h"

namespace qe::documents {

namespace {

struct Piece {
    std::string text;  // with the separator before it ("\n" between paragraphs and rows)
    int tokens;
};

// The code point at s[i] and its length; an ill-formed byte counts as one.
utf8::Sequence at(std::string_view s, size_t i) {
    return utf8::examine(reinterpret_cast<const unsigned char*>(s.data()) + i, s.size() - i);
}

bool ends_sentence(char32_t cp, std::string_view rest) {
    switch (cp) {
        case U'。':
        case U'！':
        case U'？':
        case U'；':
        case U'!':
        case U'?':
        case U';':
        case U'…':
        case U'\n':
            return true;
        case U'.':  // not in 3.14 or example.com
            return rest.empty() || rest[0] == ' ' || rest[0] == '\n' || rest[0] == '\t';
        default:
            return false;
    }
}

bool closes_sentence(char32_t cp) {
    switch (cp) {
        case U'”':
        case U'’':
        case U'"':
        case U'\'':
        case U'」':
        case U'』':
        case U'）':
        case U')':
        case U'】':
        case U'》':
            return true;
        default:
            return false;
    }
}

// `text` cut into parts of at most max_tokens, at character boundaries.
std::vector<std::string> hard_cut(std::string_view text, int max_tokens) {
    std::vector<std::string> parts;
    size_t start = 0, cjk = 0, other = 0;
    for (size_t i = 0; i < text.size();) {
        const utf8::Sequence seq = at(text, i);
        const bool wide = seq.kind == utf8::Sequence::kComplete && is_cjk(seq.cp);
        const size_t next_cjk = cjk + wide, next_other = other + (wide ? 0 : seq.length);
        if (i > start && int(next_cjk + (next_other + 3) / 4) > max_tokens) {
            parts.emplace_back(text.substr(start, i - start));
            start = i, cjk = 0, other = 0;
            continue;
        }
        cjk = next_cjk, other = next_other;
        i += seq.length;
    }
    if (start < text.size()) parts.emplace_back(text.substr(start));
    return parts;
}

class ChunkBuilder {
  public:
    explicit ChunkBuilder(const ChunkOptions& options) : options_(options) {}

    void heading(const Block& b) {
        if (has_body_ || b.page != page_) {  // headings in a row share their first chunk
            if (fresh_ > 0) finish();
            drop_front(pieces_.size());
        }
        while (!path_.empty() && path_.back().level >= b.level) path_.pop_back();
        path_.push_back({b.level, b.text});  // a skipped level leaves no gap in the path
        page_ = b.page;
        add_text(b.text, /*whole=*/true);  // the heading line opens its section's first chunk
        has_body_ = false;
    }

    void body(const Block& b) {
        if (b.page != page_) {
            if (fresh_ > 0) finish();
            drop_front(pieces_.size());
            page_ = b.page;
        }
        if (b.kind == Block::kTableRow) {
            add_text(table_row_text(b), /*whole=*/true);
        } else {
            add_text(b.text, /*whole=*/false);
        }
        has_body_ = true;
    }

    std::vector<Chunk> take() {
        if (fresh_ > 0) finish();
        return std::move(chunks_);
    }

  private:
    // A paragraph's sentences, or a whole row or heading, joined to the chunk; anything longer
    // than a chunk is cut.
    void add_text(std::string_view text, bool whole) {
        bool first = true;
        const std::vector<std::string_view> units =
            whole ? std::vector<std::string_view>{text} : split_sentences(text);
        for (const std::string_view sentence : units) {
            for (std::string& part : hard_cut(sentence, options_.max_tokens - 1)) {
                std::string piece = (first && !pieces_.empty()) ? "\n" + part : std::move(part);
                first = false;
                add_piece(std::move(piece));
            }
        }
    }

    void add_piece(std::string text) {
        const int tokens = estimate_tokens(text);
        if (total_ + tokens > options_.max_tokens && fresh_ > 0) {
            finish();
            keep_overlap();
        }
        size_t overlap = 0;  // the overlap gives way to new text
        while (overlap < pieces_.size() && total_ + tokens > options_.max_tokens) {
            total_ -= pieces_[overlap++].tokens;
        }
        pieces_.erase(pieces_.begin(), pieces_.begin() + overlap);
        pieces_.push_back({std::move(text), tokens});
        total_ += tokens;
        ++fresh_;
    }

    // Removes the first n pieces (all of them: a new chunk starts empty).
    void drop_front(size_t n) {
        for (size_t i = 0; i < n; ++i) total_ -= pieces_[i].tokens;
        pieces_.erase(pieces_.begin(), pieces_.begin() + n);
        fresh_ = 0;
    }

    // The last whole pieces of the finished chunk that fit in overlap_tokens start the next.
    void keep_overlap() {
        int kept = 0;
        size_t first = pieces_.size();
        while (first > 0 && kept + pieces_[first - 1].tokens <= options_.overlap_tokens) {
            kept += pieces_[--first].tokens;
        }
        if (first == 0) first = pieces_.size();  // never the whole chunk again
        drop_front(first);
    }

    void finish() {
        std::string text;
        for (const Piece& p : pieces_) text += p.text;
        text = trim_space(text);
        if (!text.empty()) {
            Chunk c;
            c.tokens = estimate_tokens(text);
            c.text = std::move(text);
            for (const Heading& h : path_) c.heading_path.push_back(h.text);
            c.page = page_;
            chunks_.push_back(std::move(c));
        }
        fresh_ = 0;
    }

    const ChunkOptions options_;
    std::vector<Piece> pieces_;
    int total_ = 0;          // the tokens of pieces_
    int fresh_ = 0;          // pieces not yet in any finished chunk
    bool has_body_ = false;  // the pieces hold more than headings
    struct Heading {
        int level;
        std::string text;
    };
    std::vector<Heading> path_;  // the open headings, outermost first
    std::optional<int> page_;
    std::vector<Chunk> chunks_;
};

}  // namespace

std::vector<std::string_view> split_sentences(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0, i = 0;
    while (i < text.size()) {
        const utf8::Sequence seq = at(text, i);
        i += seq.length;
        if (seq.kind != utf8::Sequence::kComplete || !ends_sentence(seq.cp, text.substr(i))) {
            continue;
        }
        while (i < text.size()) {  // closing quotes, then white space, stay with the sentence
            const utf8::Sequence next = at(text, i);
            if (next.kind != utf8::Sequence::kComplete ||
                !(closes_sentence(next.cp) || next.cp == ' ' || next.cp == '\t' ||
                  next.cp == '\n' || ends_sentence(next.cp, ""))) {
                break;
            }
            i += next.length;
        }
        out.push_back(text.substr(start, i - start));
        start = i;
    }
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
}

std::vector<Chunk> chunk_blocks(const std::vector<Block>& blocks, const ChunkOptions& options) {
    ChunkOptions checked = options;
    checked.max_tokens = std::max(checked.max_tokens, 8);
    checked.overlap_tokens = std::clamp(checked.overlap_tokens, 0, checked.max_tokens / 2);
    ChunkBuilder builder(checked);
    for (const Block& b : blocks) {
        if (b.kind == Block::kHeading) {
            builder.heading(b);
        } else {
            builder.body(b);
        }
    }
    return builder.take();
}

}  // namespace qe::documents
