#pragma once
// The SQL of the back-office contact listing, built from its filters. Kept apart from
// the repository so that a test can run EXPLAIN QUERY PLAN on exactly what it runs.
//
// Every filter is answered from an index: exact values by equality, search prefixes by
// ranges over case-folded columns (see sql/003_backoffice.sql and sql/010_folded_search.sql;
// the email and search prefix are folded here with util/text_fold.h, as the columns are). Matching
// row ids are collected by UNIONs of index searches, then the page is read by rowid.
#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/repositories.h"

namespace contactd::storage::sqlite {

struct SqlQuery {
    std::string sql;
    std::vector<std::string> params;  // bound in order from index 1
};

// `SELECT id ...` of the matching contacts, oldest first (ties by id).
SqlQuery contact_search_page_sql(const ContactRepository::Search& search, std::int64_t offset,
                                 int limit);
// `SELECT count(*) ...` of the matching contacts.
SqlQuery contact_search_count_sql(const ContactRepository::Search& search);

// The smallest string greater than every string that starts with `prefix` (byte-wise),
// or nullopt when there is none (a prefix of only 0xFF bytes).
std::optional<std::string> prefix_upper_bound(std::string prefix);

void bind_params(SQLite::Statement& statement, const SqlQuery& query);

// The `detail` column of EXPLAIN QUERY PLAN for `query`, one entry per step.
std::vector<std::string> explain_query_plan(SQLite::Database& db, const SqlQuery& query);

}  // namespace contactd::storage::sqlite
