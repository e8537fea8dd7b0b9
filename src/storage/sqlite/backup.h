#pragma once
// A consistent copy of a live SQLite database, through SQLite's online backup API.
//
// The copy is one snapshot: every transaction committed before the backup began is in
// it, whatever other processes write meanwhile (WAL lets them go on writing). It is
// written to a temporary file in the destination's folder, checked with
// PRAGMA integrity_check, fsynced, given mode 0600 and renamed over `destination`, so a
// crash never leaves a half-written file under that name. Throws std::runtime_error
// saying what failed (the temporary file is removed).
#include <cstdint>
#include <string>

namespace contactd::storage::sqlite {

struct BackupReport {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
};

BackupReport backup_database(const std::string& source, const std::string& destination);

}  // namespace contactd::storage::sqlite
