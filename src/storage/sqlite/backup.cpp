#include "storage/sqlite/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

namespace contactd::storage::sqlite {
namespace {

struct CloseDb {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Db open_db(const std::string& path, int flags, const char* what) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) {
        throw std::runtime_error(std::string("cannot open ") + what + " " + path + ": " +
                                 (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db.get(), 10000);
    return db;
}

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) throw std::runtime_error("cannot fsync " + path + ": " + std::strerror(saved));
}

// The temporary file's name; removed when it is not renamed.
class TempFile {
  public:
    explicit TempFile(const std::filesystem::path& destination) {
        const auto dir = destination.parent_path().empty() ? std::filesystem::path(".")
                                                           : destination.parent_path();
        std::string pattern = (dir / ("." + destination.filename().string() + ".tmp-XXXXXX"));
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        const int fd = ::mkstemp(buf.data());  // mode 0600
        if (fd < 0) {
            throw std::runtime_error("cannot create a file in " + dir.string() + ": " +
                                     std::strerror(errno));
        }
        ::close(fd);
        path_ = buf.data();
    }
    ~TempFile() {
        if (!path_.empty()) {
            std::error_code ignored;
            std::filesystem::remove(path_, ignored);
            std::filesystem::remove(path_ + "-journal", ignored);
        }
    }
    const std::string& path() const { return path_; }
    void release() { path_.clear(); }

  private:
    std::string path_;
};

}  // namespace

BackupReport backup_database(const std::string& source, const std::string& destination) {
    if (!std::filesystem::exists(source)) throw std::runtime_error("no database at " + source);
    // Read-write without create: a WAL database's readers need its -shm, and a missing
    // file must not become an empty database.
    auto from = open_db(source, SQLITE_OPEN_READWRITE, "the database");
    TempFile temp{std::filesystem::path(destination)};
    BackupReport report;
    {
        auto to = open_db(temp.path(), SQLITE_OPEN_READWRITE, "the backup file");
        sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
        if (!backup) throw std::runtime_error(std::string("backup: ") + sqlite3_errmsg(to.get()));
        // All pages in one step: one read transaction, so one consistent snapshot. A
        // busy or locked source (a checkpoint in progress) is waited for and retried.
        int rc = SQLITE_OK;
        for (int tries = 0; tries < 100; ++tries) {
            rc = sqlite3_backup_step(backup, -1);
            if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
            sqlite3_sleep(100);
        }
        report.pages = sqlite3_backup_pagecount(backup);
        sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE) {
            throw std::runtime_error(std::string("backup of ") + source +
                                     " failed: " + sqlite3_errstr(rc));
        }
        // The copy must be whole before it takes the destination's name.
        sqlite3_stmt* check = nullptr;
        if (sqlite3_prepare_v2(to.get(), "PRAGMA integrity_check", -1, &check, nullptr) !=
            SQLITE_OK)
            throw std::runtime_error(std::string("backup check: ") + sqlite3_errmsg(to.get()));
        std::string verdict;
        while (sqlite3_step(check) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(check, 0);
            if (!verdict.empty()) verdict += "; ";
            verdict += text ? reinterpret_cast<const char*>(text) : "";
        }
        sqlite3_finalize(check);
        if (verdict != "ok") throw std::runtime_error("the backup copy is damaged: " + verdict);
    }
    from.reset();
    if (::chmod(temp.path().c_str(), 0600) != 0)
        throw std::runtime_error("cannot chmod " + temp.path() + ": " + std::strerror(errno));
    fsync_path(temp.path(), O_RDONLY);
    std::error_code ec;
    report.bytes = static_cast<std::int64_t>(std::filesystem::file_size(temp.path(), ec));
    if (::rename(temp.path().c_str(), destination.c_str()) != 0) {
        throw std::runtime_error("cannot rename the backup to " + destination + ": " +
                                 std::strerror(errno));
    }
    temp.release();
    const auto dir = std::filesystem::path(destination).parent_path();
    fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
    return report;
}

}  // namespace contactd::storage::sqlite
