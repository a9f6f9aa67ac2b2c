#include "server/contended_lock.h"

#include "core/timed_lock.h"

#include <chrono>

namespace rpslab::server {

namespace {

// Held 4 ms of every 5: a request almost always finds it taken, and waits milliseconds,
// which /debug/wait shows at once, while the server still answers (slowly).
constexpr auto hold_time = std::chrono::milliseconds(4);
constexpr auto free_time = std::chrono::milliseconds(1);

} // namespace

contended_lock::contended_lock(core::counter& waited_ns) : _waited_ns(waited_ns), _holder([this] { hold_loop(); }) {}

contended_lock::~contended_lock() {
    _stop.store(true, std::memory_order_relaxed);
    _holder.join();
}

void contended_lock::pass() {
    core::lock_timed(_mutex, &_waited_ns);
    _mutex.unlock();
}

void contended_lock::hold_loop() {
    while (!_stop.load(std::memory_order_relaxed)) {
        {
            std::lock_guard lock(_mutex);
            std::this_thread::sleep_for(hold_time);
        }
        std::this_thread::sleep_for(free_time);
    }
}

} // namespace rpslab::server
