// An error answered to an API client: HTTP status + OpenAI's error object.
#pragma once

#include <string>

namespace qe {

struct ApiError {
    int status = 400;
    std::string type = "invalid_request_error";  // OpenAI's error.type
    std::string code;                            // e.g. "invalid_type", "model_not_found"
    std::string message;                         // what is wrong and where, for a person
    std::string param;                           // the request field at fault, if one is
    int retry_after_s = 0;                       // > 0: send a Retry-After header
};

// Thrown by request parsing; caught by the HTTP layer and answered as JSON.
struct ApiException {
    ApiError error;
};

inline ApiError make_error(int status, std::string type, std::string code, std::string message) {
    ApiError e;
    e.status = status;
    e.type = std::move(type);
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
}

[[noreturn]] inline void api_fail(std::string param, std::string message,
                                  std::string code = "invalid_value", int status = 400) {
    ApiError e;
    e.status = status;
    e.code = std::move(code);
    e.message = std::move(message);
    e.param = std::move(param);
    throw ApiException{std::move(e)};
}

}  // namespace qe
