// Runs a callable that must throw qe::Error and checks that the message holds every given part;
// or returns the message for checks of its own.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/error.h"

namespace qe::test {

template <typename F>
::testing::AssertionResult throws_error(F&& f, std::initializer_list<std::string_view> parts) {
    try {
        f();
    } catch (const Error& e) {
        const std::string message = e.what();
        for (auto part : parts) {
            if (message.find(part) == std::string::npos) {
                return ::testing::AssertionFailure()
                       << "message \"" << message << "\" lacks \"" << part << "\"";
            }
        }
        return ::testing::AssertionSuccess();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "threw a non-qe::Error: " << e.what();
    }
    return ::testing::AssertionFailure() << "did not throw";
}

// The message of the qe::Error that f throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace qe::test
