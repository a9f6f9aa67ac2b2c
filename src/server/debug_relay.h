// Processes mode's debug target: the workers are other processes, reached over their
// control channels. The debug listener's threads post a request here; the supervisor's
// event loop, which alone owns the slots and their channels, sends it to each selected
// worker with an unlinked file to write into, and hears back debug_done (or the worker's
// death). A restarted worker is reached through its new channel like any other.
#pragma once

#include "core/event_loop.h"
#include "core/fd.h"
#include "server/control.h"
#include "server/debug_target.h"

#include <condition_variable>
#include <functional>
#include <mutex>

namespace rpslab::server {

class debug_relay final : public debug_target, public core::event_handler {
public:
    // `control_of(slot)`: the control channel of the slot's running worker, -1 when none.
    // Called on the supervisor's loop thread only. Throws sys_error.
    debug_relay(core::event_loop& loop, std::span<const worker_counters> slots,
                std::function<int(std::size_t)> control_of);
    ~debug_relay();
    debug_relay(const debug_relay&) = delete;
    debug_relay& operator=(const debug_relay&) = delete;

    // Debug-listener threads.
    std::span<const worker_counters> slots() const override { return _slots; }
    collected collect(const collect_request& req, const std::atomic<bool>& cancel) override;

    // Supervisor loop thread: a posted request is ready to send; a worker answered; a
    // worker died (its part fails).
    void on_events(std::uint32_t events) override;
    void on_done(const control_message& msg);
    void on_worker_exit(std::size_t slot);
    // In a forked worker: closes the relay's descriptor without touching anything else.
    void close_in_child() { _wake.reset(); }

private:
    enum class part_state : std::uint8_t { posted, sent, done, failed };
    struct part {
        std::size_t slot = 0;
        core::unique_fd file;
        part_state state = part_state::posted;
        std::string why; // failed: the reason
    };
    void send_parts();
    bool all_settled() const;
    collected gather(const collect_request& req);

    core::event_loop& _loop;
    std::span<const worker_counters> _slots;
    std::function<int(std::size_t)> _control_of;
    core::unique_fd _wake; // eventfd: a request was posted
    std::mutex _mutex;     // guards everything below
    std::condition_variable _settled;
    std::vector<part> _parts; // the request in flight (collect runs one at a time)
    collect_request _req;
    std::uint32_t _seq = 0;
};

} // namespace rpslab::server
