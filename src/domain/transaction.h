#pragma once
// Runs `fn` in a write transaction that commits even when `fn` reports a failure, then
// throws that failure. For rules whose bookkeeping must survive the failed request: a
// counted wrong code, a refresh-token reuse that revokes a session.
//
// `fn` returns tl::expected<T, Error>.
#include <utility>

#include "storage/store.h"

namespace contactd::domain {

template <class F>
auto write_then_raise(storage::Store& store, F&& fn) {
    auto outcome = store.write(std::forward<F>(fn));
    if (!outcome) throw std::move(outcome.error());
    return std::move(*outcome);
}

}  // namespace contactd::domain
