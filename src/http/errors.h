#pragma once
// The one place where failures become HTTP answers, all in the CRM.COM error shape:
// {"status": 400, "error": "CRM.EXCEPTIONS.…", "message": "…", "parameters": [...]}.
#include <httplib.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace contactd::http {

int status_for(ErrorKind kind);

void send_error(httplib::Response& res, const Error& error);
void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message, const std::vector<std::string>& parameters = {});

// The CRM.COM code for a bare HTTP status (404 -> NOTFOUNDEXCEPTION, ...).
std::string code_for_status(int status);

}  // namespace contactd::http
