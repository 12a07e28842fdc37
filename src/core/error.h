// Errors that bad input can cause (a corrupt file, a bad request) are thrown as qe::Error with a
// message that says what is wrong and where. Internal invariants use assert; input never does.
#pragma once

#include <stdexcept>
#include <string>

namespace qe {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace qe
