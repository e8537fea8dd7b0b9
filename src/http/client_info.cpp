#include "http/client_info.h"

#include <algorithm>

namespace contactd::http {
namespace {

bool is_request_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

}  // namespace

domain::ClientInfo client_info(const httplib::Request& req,
                               const ClientAddressResolver& addresses) {
    domain::ClientInfo info;
    if (auto ua = req.get_header_value("User-Agent"); !ua.empty())
        info.user_agent = ua.substr(0, 512);
    info.ip_address = addresses.resolve(req);
    if (auto id = req.get_header_value("X-Request-Id"); is_request_id(id))
        info.request_id = std::move(id);
    return info;
}

}  // namespace contactd::http
