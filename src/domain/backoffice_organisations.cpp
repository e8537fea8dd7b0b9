#include "domain/backoffice_organisations.h"

#include "domain/backoffice_contacts.h"
#include "domain/backoffice_fields.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

std::optional<std::string> clean_org_type(const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    auto type = to_upper(trim(*value));
    if (type != "BUSINESS" && type != "MERCHANT" && type != "VENUE" && type != "SERVICE_OWNER") {
        throw invalid_value("org_type must be BUSINESS, MERCHANT, VENUE or SERVICE_OWNER",
                            {"org_type"});
    }
    return type;
}

nlohmann::json fields_detail(const OrganisationInput& input) {
    auto fields = nlohmann::json::array();
    if (input.name) fields.push_back("name");
    if (input.org_type) fields.push_back("org_type");
    return {{"fields", fields}};
}

storage::OrganisationRecord find_organisation(storage::Repositories& repos, const std::string& id) {
    auto organisation = repos.organisations().find(id);
    if (!organisation) throw not_found("Organisation");
    return std::move(*organisation);
}

}  // namespace

BackOfficeOrganisations::BackOfficeOrganisations(storage::Store& store, const Clock& clock,
                                                 const AuditTrail& audit)
    : store_(store), clock_(clock), audit_(audit) {}

std::string BackOfficeOrganisations::create(const Actor& actor, const OrganisationInput& input) {
    storage::OrganisationRecord organisation;
    organisation.id = id_or_generate(input.id);
    const auto name = clean_text(input.name, "name", 200);
    if (!name) throw missing_value("name");
    organisation.name = *name;
    organisation.org_type = clean_org_type(input.org_type).value_or("BUSINESS");
    return store_.write([&](storage::Repositories& repos) {
        if (repos.organisations().find(organisation.id)) {
            throw already_exists("An organisation with this id already exists", {"id"});
        }
        organisation.created_at = organisation.updated_at = clock_.now();
        repos.organisations().insert(organisation);
        audit_.record(repos, actor, audit_action::kOrganisationCreate, audit_entity::kOrganisation,
                      organisation.id, fields_detail(input));
        return organisation.id;
    });
}

storage::OrganisationRecord BackOfficeOrganisations::get(const std::string& id) {
    return store_.read([&](storage::Repositories& repos) { return find_organisation(repos, id); });
}

Page<storage::OrganisationRecord> BackOfficeOrganisations::list(const PageRequest& page) {
    page.validate();
    return store_.read([&](storage::Repositories& repos) {
        return Page<storage::OrganisationRecord>{
            repos.organisations().list(page.offset(), page.limit()), repos.organisations().count(),
            page};
    });
}

std::string BackOfficeOrganisations::update(const Actor& actor, const std::string& id,
                                            const OrganisationInput& input) {
    std::optional<std::string> name;
    if (input.name) {
        name = clean_text(input.name, "name", 200);
        if (!name) throw invalid_value("name cannot be empty", {"name"});
    }
    const auto org_type = clean_org_type(input.org_type);
    return store_.write([&](storage::Repositories& repos) {
        auto organisation = find_organisation(repos, id);
        if (input.id && *input.id != organisation.id)
            throw invalid_value("id cannot be changed", {"id"});
        if (name) organisation.name = *name;
        if (org_type) organisation.org_type = *org_type;
        organisation.updated_at = clock_.now();
        repos.organisations().update(organisation);
        audit_.record(repos, actor, audit_action::kOrganisationUpdate, audit_entity::kOrganisation,
                      organisation.id, fields_detail(input));
        return organisation.id;
    });
}

void BackOfficeOrganisations::remove(const Actor& actor, const std::string& id) {
    store_.write([&](storage::Repositories& repos) {
        const auto organisation = find_organisation(repos, id);
        repos.organisations().remove(organisation.id);  // memberships go by ON DELETE CASCADE
        audit_.record(repos, actor, audit_action::kOrganisationDelete, audit_entity::kOrganisation,
                      organisation.id);
    });
}

std::string BackOfficeOrganisations::set_membership(const Actor& actor,
                                                    const std::string& contact_id_or_code,
                                                    const std::string& organisation_id,
                                                    MembershipAction action) {
    return store_.write([&](storage::Repositories& repos) {
        const auto contact = find_contact(repos, contact_id_or_code);
        const auto organisation = find_organisation(repos, organisation_id);
        const bool changed =
            action == MembershipAction::SignUp
                ? repos.organisations().add_member(organisation.id, contact.id, clock_.now())
                : repos.organisations().remove_member(organisation.id, contact.id);
        audit_.record(repos, actor,
                      action == MembershipAction::SignUp ? audit_action::kOrganisationSignUp
                                                         : audit_action::kOrganisationSignOff,
                      audit_entity::kContact, contact.id,
                      {{"organisation_id", organisation.id}, {"changed", changed}});
        return contact.id;
    });
}

std::optional<MembershipAction> BackOfficeOrganisations::parse_action(const std::string& text) {
    const auto action = to_upper(trim(text));
    if (action == "SIGNUP") return MembershipAction::SignUp;
    if (action == "SIGNOFF") return MembershipAction::SignOff;
    return std::nullopt;
}

}  // namespace contactd::domain
