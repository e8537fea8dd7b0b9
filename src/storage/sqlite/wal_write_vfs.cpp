#include "storage/sqlite/wal_write_vfs.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

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
    char* buffer;
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
    const int rc = f.real->pMethods ? f.real->pMethods->xClose(f.real) : SQLITE_OK;
    std::free(f.buffer);
    f.buffer = nullptr;
    return flushed != SQLITE_OK ? flushed : rc;
}

// Every other method: flush, then ask the real file.
template <auto Method, class... Args>
int flushed_then(sqlite3_file* file, Args... args) {
    auto& f = wal(file);
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return (f.real->pMethods->*Method)(f.real, args...);
}

int wal_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
    return flushed_then<&sqlite3_io_methods::xRead>(file, data, amount, offset);
}
int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
    return flushed_then<&sqlite3_io_methods::xTruncate>(file, size);
}
int wal_sync(sqlite3_file* file, int flags) {
    return flushed_then<&sqlite3_io_methods::xSync>(file, flags);
}
int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
    return flushed_then<&sqlite3_io_methods::xFileSize>(file, size);
}
int wal_lock(sqlite3_file* file, int level) {
    return flushed_then<&sqlite3_io_methods::xLock>(file, level);
}
int wal_unlock(sqlite3_file* file, int level) {
    return flushed_then<&sqlite3_io_methods::xUnlock>(file, level);
}
int wal_check_reserved(sqlite3_file* file, int* out) {
    return flushed_then<&sqlite3_io_methods::xCheckReservedLock>(file, out);
}
int wal_file_control(sqlite3_file* file, int op, void* arg) {
    return flushed_then<&sqlite3_io_methods::xFileControl>(file, op, arg);
}
int wal_sector_size(sqlite3_file* file) {
    auto& f = wal(file);
    return f.real->pMethods->xSectorSize(f.real);
}
int wal_device_characteristics(sqlite3_file* file) {
    auto& f = wal(file);
    return f.real->pMethods->xDeviceCharacteristics(f.real);
}

int open_file(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    if (!(flags & SQLITE_OPEN_WAL)) {
        // Not a log: the VFS below owns the whole allocation, methods and all.
        return g_below->xOpen(g_below, name, file, flags, out_flags);
    }
    auto& f = wal(file);
    std::memset(&f, 0, sizeof f);
    f.real = reinterpret_cast<sqlite3_file*>(&f + 1);
    f.buffer = static_cast<char*>(std::malloc(kBufferBytes));
    if (!f.buffer) return SQLITE_NOMEM;
    const int rc = g_below->xOpen(g_below, name, f.real, flags, out_flags);
    if (rc != SQLITE_OK) {
        // SQLite calls xClose only when pMethods is set: leave it unset.
        if (f.real->pMethods) f.real->pMethods->xClose(f.real);
        std::free(f.buffer);
        return rc;
    }
    f.base.pMethods = &g_methods;
    return SQLITE_OK;
}

void register_vfs() {
    // Before SQLite initializes, or never (SQLITE_MISUSE, harmless).
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    g_below = sqlite3_vfs_find(nullptr);
    g_vfs = *g_below;
    g_vfs.zName = "contactd-wal-writes";
    g_vfs.pNext = nullptr;
    g_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + g_below->szOsFile;
    g_vfs.xOpen = open_file;
    // The log's files are the VFS below's: only its write path differs. Version 1 methods
    // and the shared-memory ones (the log file has none: they belong to the database).
    g_methods = sqlite3_io_methods{};
    g_methods.iVersion = 1;
    g_methods.xClose = wal_close;
    g_methods.xRead = wal_read;
    g_methods.xWrite = wal_write;
    g_methods.xTruncate = wal_truncate;
    g_methods.xSync = wal_sync;
    g_methods.xFileSize = wal_file_size;
    g_methods.xLock = wal_lock;
    g_methods.xUnlock = wal_unlock;
    g_methods.xCheckReservedLock = wal_check_reserved;
    g_methods.xFileControl = wal_file_control;
    g_methods.xSectorSize = wal_sector_size;
    g_methods.xDeviceCharacteristics = wal_device_characteristics;
    sqlite3_vfs_register(&g_vfs, 0);
}

}  // namespace

const char* wal_write_vfs() {
    static std::once_flag once;
    std::call_once(once, register_vfs);
    return g_vfs.zName;
}

}  // namespace contactd::storage::sqlite
