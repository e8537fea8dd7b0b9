#include "delivery/curl_library.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace contactd::delivery {
namespace {

// Debian's libcurl4 (the OpenSSL flavour contactd builds against).
constexpr const char* kSoname = "libcurl.so.4";

template <typename Function>
void resolve(void* handle, const char* name, Function& out) {
    void* symbol = ::dlsym(handle, name);
    if (!symbol) throw std::runtime_error(std::string(kSoname) + " has no " + name);
    out = reinterpret_cast<Function>(symbol);
}

CurlLibrary load() {
    // Never closed: curl_global_init's state lives as long as the process.
    void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        throw std::runtime_error(std::string("SMTP needs ") + kSoname +
                                 " (Debian package libcurl4): " + (why ? why : "not found"));
    }
    CurlLibrary curl{};
    decltype(&::curl_global_init) global_init = nullptr;
    resolve(handle, "curl_global_init", global_init);
    resolve(handle, "curl_easy_init", curl.easy_init);
    resolve(handle, "curl_easy_cleanup", curl.easy_cleanup);
    resolve(handle, "curl_easy_setopt", curl.easy_setopt);
    resolve(handle, "curl_easy_perform", curl.easy_perform);
    resolve(handle, "curl_easy_getinfo", curl.easy_getinfo);
    resolve(handle, "curl_easy_strerror", curl.easy_strerror);
    resolve(handle, "curl_slist_append", curl.slist_append);
    resolve(handle, "curl_slist_free_all", curl.slist_free_all);
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        throw std::runtime_error("curl_global_init failed");
    return curl;
}

}  // namespace

const CurlLibrary& curl_library() {
    // A failed load throws out of the initializer, and the next call tries again.
    static const CurlLibrary loaded = load();
    return loaded;
}

}  // namespace contactd::delivery
