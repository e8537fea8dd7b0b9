#pragma once
// The domain's view of who sent a request (domain::ClientInfo): the client's address as
// the resolver judges it, its User-Agent (at most 512 bytes) and the request's id from
// the X-Request-Id header (absent, or not of the contract's shape: none).
#include <httplib.h>

#include "domain/client_info.h"
#include "http/client_address.h"

namespace contactd::http {

domain::ClientInfo client_info(const httplib::Request& req, const ClientAddressResolver& addresses);

}  // namespace contactd::http
