#pragma once
// Pages of a back-office listing: 1-based page numbers, at most 100 items a page.
#include <cstdint>
#include <vector>

#include "util/error.h"

namespace contactd::domain {

struct PageRequest {
    static constexpr std::int64_t kDefaultSize = 20;
    static constexpr std::int64_t kMaxSize = 100;
    static constexpr std::int64_t kMaxPage = 1'000'000'000;

    std::int64_t page = 1;
    std::int64_t size = kDefaultSize;

    // Throws Error(InvalidValue) naming `page` or `size` when out of range.
    void validate() const {
        if (page < 1 || page > kMaxPage)
            throw invalid_value("page must be a whole number from 1", {"page"});
        if (size < 1 || size > kMaxSize)
            throw invalid_value("size must be a whole number from 1 to 100", {"size"});
    }
    std::int64_t offset() const { return (page - 1) * size; }
    int limit() const { return static_cast<int>(size); }
};

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total = 0;
    PageRequest request;
    bool has_more() const {
        return request.offset() + static_cast<std::int64_t>(items.size()) < total;
    }
};

}  // namespace contactd::domain
