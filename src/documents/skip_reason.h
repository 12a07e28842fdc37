// Why a file was not imported: one named reason per file, with a message a user can act on.
// Readers throw DocumentError; read_document() turns it into a Skip, so one bad file never stops
// an import and never leaves part of a document behind.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace qe::documents {

enum class SkipReason {
    kUnsupportedFormat,  // an extension no reader knows
    kLegacyFormat,       // .doc/.xls/.ppt/.wps...: "save as .docx" (or .xlsx, .pptx)
    kTooLarge,           // over the file size cap (kMaxDocumentBytes)
    kNotText,            // binary junk, or text in no encoding we detect
    kEncrypted,          // a password-protected PDF or Office file
    kNoTextLayer,        // a PDF whose pages hold no text (scanned?)
    kZipBomb,            // an archive that unpacks past the caps (zip_archive.h)
    kBroken,             // a damaged or malformed file of a known format
    kUnreadable,         // the file could not be opened or read
    kEmpty,              // a readable file without any text
};

// A stable lower-case name for logs and the API ("encrypted", "no_text_layer", ...).
std::string_view skip_reason_name(SkipReason reason);

struct Skip {
    SkipReason reason;
    std::string message;  // what was found and, where there is one, what to do about it
};

class DocumentError : public Error {
  public:
    DocumentError(SkipReason reason, const std::string& message)
        : Error(message), reason_(reason) {}
    SkipReason reason() const { return reason_; }

  private:
    SkipReason reason_;
};

}  // namespace qe::documents
