#pragma once
// Domain errors. Services throw them; the HTTP layer maps each kind to a status and a
// CRM.COM error body in one place (http/error_mapping.cpp). Services never know HTTP.
//
// Exceptions, not expected<>, because every write runs inside a storage transaction
// that must roll back when a rule fails: unwinding does that without a check per call.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace contactd {

enum class ErrorKind {
    InvalidValue,      // bad input or a failed business rule
    NotAuthenticated,  // missing/bad credentials, wrong or spent code
    ExpiredToken,      // an access token past its exp: the app should refresh
    Forbidden,         // authenticated, but not allowed
    NotFound,
    AlreadyExists,
    RateLimited,  // carries retry_after seconds
    Unavailable,  // a dependency (e.g. Facebook) failed
    UnsupportedMediaType,
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, std::string code, std::string message,
          std::vector<std::string> parameters = {}, std::int64_t retry_after = 0)
        : std::runtime_error(message),
          kind_(kind),
          code_(std::move(code)),
          parameters_(std::move(parameters)),
          retry_after_(retry_after) {}

    ErrorKind kind() const { return kind_; }
    // The suffix after "CRM.EXCEPTIONS.", e.g. "INVALIDVALUEEXCEPTION".
    const std::string& code() const { return code_; }
    const std::vector<std::string>& parameters() const { return parameters_; }
    std::int64_t retry_after() const { return retry_after_; }

  private:
    ErrorKind kind_;
    std::string code_;
    std::vector<std::string> parameters_;
    std::int64_t retry_after_;
};

// Shorthands for the common errors.
inline Error invalid_value(std::string message, std::vector<std::string> parameters = {}) {
    return {ErrorKind::InvalidValue, "INVALIDVALUEEXCEPTION", std::move(message),
            std::move(parameters)};
}
inline Error missing_value(std::string field) {
    return {ErrorKind::InvalidValue, "MISSINGPARAMETEREXCEPTION", field + " is required", {field}};
}
inline Error not_authenticated(std::string message,
                               std::string code = "NOTAUTHENTICATEDEXCEPTION") {
    return {ErrorKind::NotAuthenticated, std::move(code), std::move(message)};
}
inline Error forbidden(std::string message) {
    return {ErrorKind::Forbidden, "FORBIDDENEXCEPTION", std::move(message)};
}
inline Error not_found(std::string what) {
    return {ErrorKind::NotFound, "NOTFOUNDEXCEPTION", what + " not found"};
}
inline Error already_exists(std::string message, std::vector<std::string> parameters = {}) {
    return {ErrorKind::AlreadyExists, "ALREADYEXISTSEXCEPTION", std::move(message),
            std::move(parameters)};
}
inline Error rate_limited(std::string message, std::int64_t retry_after) {
    return {
        ErrorKind::RateLimited, "TOOMANYREQUESTSEXCEPTION", std::move(message), {}, retry_after};
}

}  // namespace contactd
