#pragma once
#include <SQLiteCpp/Database.h>

#include <string>
#include <vector>

namespace contactd::storage::sqlite {

// Applies the embedded sql/NNN_*.sql files not yet recorded in schema_migrations, in
// order, each in its own transaction. Returns the names it applied. Registers the SQL
// function contactd_fold(text) (util/text_fold.h) on `db` for the migrations' backfills.
std::vector<std::string> apply_migrations(SQLite::Database& db);

}  // namespace contactd::storage::sqlite
