// A counter with one writer thread and any number of readers: what per-worker metrics,
// and the lock-wait figures of modules below metrics, are made of. Building with
// RPSLAB_NO_METRICS turns every update into nothing (the measured cost of metrics).
#pragma once

#include <atomic>
#include <cstdint>

namespace rpslab::core {

#ifdef RPSLAB_NO_METRICS
inline constexpr bool metrics_enabled = false;
#else
inline constexpr bool metrics_enabled = true;
#endif

// Relaxed loads and stores compile to plain moves: no locked instruction for the writer,
// and no torn reads elsewhere. Only one thread may call add() or set() on a counter.
class counter {
public:
    void add(std::uint64_t n = 1) {
        if constexpr (metrics_enabled) {
            _v.store(_v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
        }
    }
    void set(std::uint64_t n) {
        if constexpr (metrics_enabled) {
            _v.store(n, std::memory_order_relaxed);
        }
    }
    std::uint64_t get() const { return _v.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> _v{0};
};

} // namespace rpslab::core
