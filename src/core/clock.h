// Cheap clocks for the event loop: coarse monotonic milliseconds for timeouts and the
// wall-clock second for the Date header. Both read the vDSO, never a syscall.
#pragma once

#include <cstdint>
#include <time.h>

namespace rpslab::core {

// Milliseconds on CLOCK_MONOTONIC_COARSE (a few ms resolution, plenty for timeouts).
inline std::int64_t monotonic_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Monotonic nanoseconds at full resolution, for measuring.
inline std::int64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline time_t wall_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return ts.tv_sec;
}

} // namespace rpslab::core
