#pragma once
// A VFS over SQLite's default one that joins the writes of the write-ahead log.
//
// SQLite writes each log frame as two pwrite calls (its 24-byte header, then the page),
// and a group-commit batch is hundreds of frames at consecutive offsets: on the 2-core
// benchmark VM system calls were the largest single cost of a write, and these were a
// quarter of them. Here a log file's consecutive writes collect in a buffer and reach
// the file as one write when:
//   - the frame that commits a transaction has been written (its header names the
//     database size; every other frame's says 0), so what another connection may read
//     once the commit is published in the shared index is already in the file, with
//     synchronous=NORMAL (no sync) too;
//   - the next write does not follow on, or the buffer is full;
//   - anything else is asked of the file (read, sync, truncate, size, lock, close...).
// Writes to the database file and the rest pass straight through. The order of writes
// is kept: nothing is written out of order or reread from the file before its buffered
// bytes have reached it. A failed joined write fails the call that flushes it, inside
// the same commit.
namespace contactd::storage::sqlite {

// The VFS's name for sqlite3_open_v2 (or SQLite::Database), registered on first use (not
// as the default).
const char* wal_write_vfs();

}  // namespace contactd::storage::sqlite
