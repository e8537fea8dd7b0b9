#pragma once
// The server's secret keys: the JWT signing key (CONTACTD_JWT_SECRET, or 32 random bytes
// generated on first start and kept in the database) and the one-time-code key, derived
// from it so that codes and tokens share one secret to rotate.
#include <string>

#include "app/config.h"
#include "storage/store.h"

namespace contactd {

struct KeyMaterial {
    std::string jwt_key;
    std::string otp_key;
};

KeyMaterial load_key_material(storage::Store& store, const Config& config);

}  // namespace contactd
