// Lock acquisition that measures waiting: the locks rpslab takes go through lock_timed(),
// which adds the time a thread spent blocked on a contended lock to a counter that thread
// owns. The uncontended path is one try_lock and no clock read.
#pragma once

#include "core/clock.h"

#include <cstdint>

namespace rpslab::core {

// Acquires `m`. When it was held by another thread, adds the nanoseconds spent waiting for
// it to `waited_ns` (anything with add(std::uint64_t), written only by the calling thread;
// nullptr: not recorded). The caller releases `m` (e.g. std::lock_guard with std::adopt_lock).
template <typename Mutex, typename Sink> void lock_timed(Mutex& m, Sink* waited_ns) {
    if (m.try_lock()) [[likely]] {
        return;
    }
    const std::int64_t start_ns = monotonic_ns();
    m.lock();
    if (waited_ns != nullptr) {
        waited_ns->add(static_cast<std::uint64_t>(monotonic_ns() - start_ns));
    }
}

} // namespace rpslab::core
