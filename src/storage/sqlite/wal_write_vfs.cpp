#include "storage/sqlite/wal_write_vfs.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <utility>

namespace contactd::storage::sqlite {
namespace {

constexpr int kFrameHeaderBytes = 24;  // SQLite's WAL frame header
// Under 128 KiB: SQLite's unix VFS masks a write's length to 17 bits (0x1ffff), so one
// call of 128 KiB or more writes the wrong amount (and reports the disk full).
constexpr sqlite3_int64 kBufferBytes = 120 * 1024;

// A log file: this struct, then the real file of the VFS below in the same allocation.
struct WalFile {
    sqlite3_file base;  // pMethods: the methods below
    sqlite3_file* real;
    char* buffer;  // allocated at the first write: the checkpointer's log handle never writes
    sqlite3_int64 start;  // file offset of buffer[0]
    sqlite3_int64 length;
    bool commit_frame;  // the buffer ends inside the frame that commits
};

sqlite3_vfs* g_below = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

WalFile& wal(sqlite3_file* file) {
    return *reinterpret_cast<WalFile*>(file);
}

int flush(WalFile& f) {
    if (f.length == 0) return SQLITE_OK;
    const int rc = f.real->pMethods->xWrite(f.real, f.buffer, static_cast<int>(f.length), f.start);
    f.length = 0;
    f.commit_frame = false;
    return rc;
}

int wal_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    auto& f = wal(file);
    const bool follows = f.length > 0 && offset == f.start + f.length;
    const bool completes_commit = follows && f.commit_frame;  // the committing frame's page
    if (!follows || f.length + amount > kBufferBytes) {
        if (const int rc = flush(f); rc != SQLITE_OK) return rc;
        if (amount > kBufferBytes) return f.real->pMethods->xWrite(f.real, data, amount, offset);
        f.start = offset;
    }
    if (!f.buffer && !(f.buffer = static_cast<char*>(std::malloc(kBufferBytes))))
        return SQLITE_IOERR_NOMEM;
    std::memcpy(f.buffer + f.length, data, static_cast<std::size_t>(amount));
    f.length += amount;
    if (completes_commit) return flush(f);
    if (amount == kFrameHeaderBytes) {
        // A frame header: bytes 4..7 are the database size after a commit, else zero.
        const auto* header = static_cast<const unsigned char*>(data);
        f.commit_frame = (header[4] | header[5] | header[6] | header[7]) != 0;
    }
    return SQLITE_OK;
}

int wal_close(sqlite3_file* file) {
    auto& f = wal(file);
    const int flushed = flush(f);
    const int rc = f.real->pMethods->xClose(f.real);  // set: the open succeeded
    std::free(f.buffer);
    f.buffer = nullptr;
    return flushed != SQLITE_OK ? flushed : rc;
}

// Every other method: the real file's, after the buffer is written (`Flush`), so that
// nothing is read, synced, sized or cut before what was written reaches the file.
template <auto Method, bool Flush, class Signature>
struct Forward;
template <auto Method, bool Flush, class... Args>
struct Forward<Method, Flush, int (*)(sqlite3_file*, Args...)> {
    static int call(sqlite3_file* file, Args... args) {
        auto& f = wal(file);
        if constexpr (Flush) {
            if (const int rc = flush(f); rc != SQLITE_OK) return rc;
        }
        return (f.real->pMethods->*Method)(f.real, args...);
    }
};
template <auto Method, bool Flush = true>
constexpr auto forward =
    &Forward<Method, Flush,
             std::remove_cvref_t<decltype(std::declval<sqlite3_io_methods>().*Method)>>::call;

int open_file(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    if (!(flags & SQLITE_OPEN_WAL)) {
        // Not a log: the VFS below owns the whole allocation, methods and all.
        return g_below->xOpen(g_below, name, file, flags, out_flags);
    }
    auto& f = wal(file);
    std::memset(&f, 0, sizeof f);
    f.real = reinterpret_cast<sqlite3_file*>(&f + 1);
    const int rc = g_below->xOpen(g_below, name, f.real, flags, out_flags);
    if (rc != SQLITE_OK) {
        // SQLite calls xClose only when pMethods is set: leave it unset.
        if (f.real->pMethods) f.real->pMethods->xClose(f.real);
        return rc;
    }
    f.base.pMethods = &g_methods;
    return SQLITE_OK;
}

void register_vfs() {
    g_below = sqlite3_vfs_find(nullptr);
    g_vfs = *g_below;
    g_vfs.zName = "contactd-wal-writes";
    g_vfs.pNext = nullptr;
    g_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + g_below->szOsFile;
    g_vfs.xOpen = open_file;
    // The log's files are the VFS below's: only its write path differs. Version 1 methods:
    // shared memory and memory mapping belong to the database file, never to the log.
    g_methods = sqlite3_io_methods{};
    g_methods.iVersion = 1;
    g_methods.xClose = wal_close;
    g_methods.xRead = forward<&sqlite3_io_methods::xRead>;
    g_methods.xWrite = wal_write;
    g_methods.xTruncate = forward<&sqlite3_io_methods::xTruncate>;
    g_methods.xSync = forward<&sqlite3_io_methods::xSync>;
    g_methods.xFileSize = forward<&sqlite3_io_methods::xFileSize>;
    g_methods.xLock = forward<&sqlite3_io_methods::xLock>;
    g_methods.xUnlock = forward<&sqlite3_io_methods::xUnlock>;
    g_methods.xCheckReservedLock = forward<&sqlite3_io_methods::xCheckReservedLock>;
    g_methods.xFileControl = forward<&sqlite3_io_methods::xFileControl>;
    // Asked before a commit's frames are written (alignment, padding): no flush.
    g_methods.xSectorSize = forward<&sqlite3_io_methods::xSectorSize, false>;
    g_methods.xDeviceCharacteristics = forward<&sqlite3_io_methods::xDeviceCharacteristics, false>;
    sqlite3_vfs_register(&g_vfs, 0);
}

}  // namespace

const char* wal_write_vfs() {
    static std::once_flag once;
    std::call_once(once, register_vfs);
    return g_vfs.zName;
}

}  // namespace contactd::storage::sqlite
