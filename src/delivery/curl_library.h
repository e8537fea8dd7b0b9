#pragma once
// libcurl, loaded when the first SMTP channel is made rather than when contactd starts.
//
// Only the SMTP channel uses it, and most deployments send no email through contactd
// (the development inbox, an SMS webhook). Linked, it brings 24 more libraries (GnuTLS,
// Kerberos, LDAP, SSH, RTMP…) into every process: 3.8 MB of the 21 MB resident at start.
// Loading it on demand keeps that out of every server that does not send email.
#include <curl/curl.h>

namespace contactd::delivery {

// The entry points the SMTP channel calls, typed from curl.h.
struct CurlLibrary {
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_setopt) easy_setopt;  // varargs: pass long, pointers, callbacks
    decltype(&::curl_easy_perform) easy_perform;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
};

// Loads libcurl and runs curl_global_init once for the process; the same library every
// call. Throws std::runtime_error, saying what is missing, if it cannot.
const CurlLibrary& curl_library();

}  // namespace contactd::delivery
