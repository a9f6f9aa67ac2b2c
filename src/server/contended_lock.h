// The test-only fault of `--fault-contended-lock`: a mutex that a background thread holds
// most of the time, taken once per request by the worker's event loop, so that /debug/wait
// has a real lock wait to show. Never built into a server without the flag.
#pragma once

#include "core/counter.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace rpslab::server {

class contended_lock {
public:
    // Starts the holder thread; `waited_ns` (the worker's lock_wait_ns[test_fault]) must
    // outlive this object.
    explicit contended_lock(core::counter& waited_ns);
    ~contended_lock();
    contended_lock(const contended_lock&) = delete;
    contended_lock& operator=(const contended_lock&) = delete;

    // Event-loop thread only: takes and releases the lock, timing any wait.
    void pass();

private:
    void hold_loop();

    core::counter& _waited_ns;
    std::mutex _mutex;
    std::atomic<bool> _stop{false};
    std::thread _holder;
};

} // namespace rpslab::server
