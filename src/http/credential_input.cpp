#include "http/credential_input.h"

#include "http/self_service_input.h"
#include "util/error.h"

namespace contactd::http {
namespace {

// The identity object with "EMAIL" as its provider when it names none.
domain::IdentityInput identity_with_default(const Json& object) {
    if (!object.is_object()) throw invalid_value("identity must be an object", {"identity"});
    if (object.contains("provider") && !object.at("provider").is_null())
        return parse_identity(object);
    Json copy = object;
    copy["provider"] = "EMAIL";
    return parse_identity(copy);
}

}  // namespace

domain::IdentityInput parse_authentication(const Json& body) {
    return identity_with_default(body);
}

domain::IdentityAddition parse_identity_addition(const Json& body) {
    const Json* object = &body;
    for (const char* wrapper : {"identity", "identification"}) {
        if (const auto it = body.find(wrapper); it != body.end() && it->is_object()) {
            object = &*it;
            break;
        }
    }
    domain::IdentityAddition addition;
    addition.identity = identity_with_default(*object);
    for (const Json* source : {object, &body}) {
        for (const char* field : {"current_password", "old_password"}) {
            if (!addition.current_password) addition.current_password = get_string(*source, field);
        }
    }
    return addition;
}

}  // namespace contactd::http
