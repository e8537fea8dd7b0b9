#include "http/errors.h"

#include <nlohmann/json.hpp>

namespace contactd::http {

int status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidValue:
            return 400;
        case ErrorKind::NotAuthenticated:
            return 401;
        case ErrorKind::ExpiredToken:
            return 401;
        case ErrorKind::Forbidden:
            return 403;
        case ErrorKind::NotFound:
            return 404;
        case ErrorKind::AlreadyExists:
            return 409;
        case ErrorKind::RateLimited:
            return 429;
        case ErrorKind::Unavailable:
            return 503;
        case ErrorKind::UnsupportedMediaType:
            return 415;
    }
    return 500;
}

std::string code_for_status(int status) {
    switch (status) {
        case 400:
            return "INVALIDVALUEEXCEPTION";
        case 401:
            return "NOTAUTHENTICATEDEXCEPTION";
        case 403:
            return "FORBIDDENEXCEPTION";
        case 404:
            return "NOTFOUNDEXCEPTION";
        case 405:
            return "METHODNOTALLOWEDEXCEPTION";
        case 409:
            return "ALREADYEXISTSEXCEPTION";
        case 411:
            return "LENGTHREQUIREDEXCEPTION";
        case 413:
            return "PAYLOADTOOLARGEEXCEPTION";
        case 414:
            return "URITOOLONGEXCEPTION";
        case 415:
            return "UNSUPPORTEDMEDIATYPEEXCEPTION";
        case 429:
            return "TOOMANYREQUESTSEXCEPTION";
        case 503:
            return "SERVICEUNAVAILABLEEXCEPTION";
        default:
            return status >= 500 ? "INTERNALSERVEREXCEPTION" : "BADREQUESTEXCEPTION";
    }
}

void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message, const std::vector<std::string>& parameters) {
    res.status = status;
    const nlohmann::json body = {{"status", status},
                                 {"error", "CRM.EXCEPTIONS." + code},
                                 {"message", message},
                                 {"parameters", parameters}};
    res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, const Error& error) {
    if (error.kind() == ErrorKind::RateLimited) {
        res.set_header("Retry-After", std::to_string(error.retry_after()));
    }
    send_error(res, status_for(error.kind()), error.code(), error.what(), error.parameters());
}

}  // namespace contactd::http
