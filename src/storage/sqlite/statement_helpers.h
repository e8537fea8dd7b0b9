#pragma once
// Small helpers for binding and reading optional values with SQLiteCpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <optional>
#include <string>

namespace contactd::storage::sqlite {

inline void bind(SQLite::Statement& stmt, int index, const std::optional<std::string>& value) {
    if (value) {
        stmt.bind(index, *value);
    } else {
        stmt.bind(index);  // NULL
    }
}

inline void bind(SQLite::Statement& stmt, int index, const std::optional<std::int64_t>& value) {
    if (value) {
        stmt.bind(index, *value);
    } else {
        stmt.bind(index);
    }
}

inline std::optional<std::string> optional_text(SQLite::Statement& stmt, int column) {
    const auto col = stmt.getColumn(column);
    if (col.isNull()) return std::nullopt;
    return col.getString();
}

inline std::optional<std::int64_t> optional_int(SQLite::Statement& stmt, int column) {
    const auto col = stmt.getColumn(column);
    if (col.isNull()) return std::nullopt;
    return col.getInt64();
}

}  // namespace contactd::storage::sqlite
