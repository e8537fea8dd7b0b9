#include "storage/sqlite/contact_search.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace contactd::storage::sqlite {
namespace {

class Builder {
  public:
    // A condition on the contact `c`; every one must hold.
    void require(std::string condition) { conditions_.push_back(std::move(condition)); }
    // Adds a parameter and returns its placeholder.
    std::string param(std::string value) {
        params_.push_back(std::move(value));
        std::string placeholder = "?";  // appended: GCC 12 -O3 false -Wrestrict (bug 105329)
        return placeholder.append(std::to_string(params_.size()));
    }

    std::string where() const {
        std::string out;
        for (const auto& condition : conditions_)
            out += (out.empty() ? " WHERE " : " AND ") + condition;
        return out;
    }
    std::vector<std::string>& params() { return params_; }

  private:
    std::vector<std::string> conditions_;
    std::vector<std::string> params_;
};

// "SELECT <rowid> FROM <from> WHERE <expr> >= lo AND <expr> < hi" for a prefix.
std::string range_select(Builder& b, const std::string& select_from, const std::string& expr,
                         const std::string& lo, const std::optional<std::string>& hi,
                         const std::string& extra = "") {
    std::string sql = select_from + " WHERE " + extra + expr + " >= " + b.param(lo);
    if (hi) sql += " AND " + expr + " < " + b.param(*hi);
    return sql;
}

const std::string kContactRows = "SELECT rowid FROM contacts";
const std::string kIdentityRows =
    "SELECT x.rowid FROM identities i JOIN contacts x ON x.id = i.contact_id";
const std::string kPhoneRows =
    "SELECT x.rowid FROM contact_phones p JOIN contacts x ON x.id = p.contact_id";

std::string joined(const std::vector<std::string>& selects) {
    std::string out;
    for (const auto& s : selects) out += (out.empty() ? "" : " UNION ") + s;
    return out;
}

Builder filters(const ContactRepository::Search& search) {
    Builder b;
    if (search.code) b.require("c.code = " + b.param(*search.code));
    if (search.email) {
        b.require("c.rowid IN (" +
                  joined({kContactRows + " WHERE email_normalized = " + b.param(*search.email),
                          kIdentityRows + " WHERE i.provider = 'EMAIL' AND i.value = " +
                              b.param(*search.email)}) +
                  ")");
    }
    if (search.phone) {
        b.require("c.rowid IN (" +
                  joined({kContactRows + " WHERE phone = " + b.param(*search.phone),
                          kPhoneRows + " WHERE p.number = " + b.param(*search.phone),
                          kIdentityRows + " WHERE i.provider = 'PHONE' AND i.value = " +
                              b.param(*search.phone)}) +
                  ")");
    }
    std::vector<std::string> any;
    if (search.text_prefix && !search.text_prefix->empty()) {
        const auto& lo = *search.text_prefix;
        const auto hi = prefix_upper_bound(lo);
        for (const char* expr : {"lower(first_name)", "lower(last_name)", "lower(company_name)",
                                 "email_normalized", "lower(code)"}) {
            any.push_back(range_select(b, kContactRows, expr, lo, hi));
        }
        any.push_back(
            range_select(b, kIdentityRows, "i.value", lo, hi, "i.provider = 'EMAIL' AND "));
    }
    if (search.phone_prefix && !search.phone_prefix->empty()) {
        const auto& lo = *search.phone_prefix;
        const auto hi = prefix_upper_bound(lo);
        any.push_back(range_select(b, kContactRows, "phone", lo, hi));
        any.push_back(range_select(b, kPhoneRows, "p.number", lo, hi));
        any.push_back(
            range_select(b, kIdentityRows, "i.value", lo, hi, "i.provider = 'PHONE' AND "));
    }
    if (!any.empty()) b.require("c.rowid IN (" + joined(any) + ")");
    return b;
}

}  // namespace

std::optional<std::string> prefix_upper_bound(std::string prefix) {
    while (!prefix.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(prefix.back());
        if (last != 0xFF) {
            ++last;
            return prefix;
        }
        prefix.pop_back();
    }
    return std::nullopt;
}

SqlQuery contact_search_page_sql(const ContactRepository::Search& search, std::int64_t offset,
                                 int limit) {
    auto b = filters(search);
    std::string sql = "SELECT c.id FROM contacts c" + b.where() +
                      " ORDER BY c.created_at, c.id LIMIT " + std::to_string(limit) + " OFFSET " +
                      std::to_string(offset);
    return {std::move(sql), std::move(b.params())};
}

SqlQuery contact_search_count_sql(const ContactRepository::Search& search) {
    auto b = filters(search);
    return {"SELECT count(*) FROM contacts c" + b.where(), std::move(b.params())};
}

void bind_params(SQLite::Statement& statement, const SqlQuery& query) {
    for (std::size_t i = 0; i < query.params.size(); ++i)
        statement.bind(static_cast<int>(i + 1), query.params[i]);
}

std::vector<std::string> explain_query_plan(SQLite::Database& db, const SqlQuery& query) {
    SQLite::Statement s(db, "EXPLAIN QUERY PLAN " + query.sql);
    bind_params(s, query);
    std::vector<std::string> steps;
    while (s.executeStep()) steps.push_back(s.getColumn(3).getString());
    return steps;
}

}  // namespace contactd::storage::sqlite
