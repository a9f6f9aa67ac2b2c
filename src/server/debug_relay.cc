#include "server/debug_relay.h"

#include "core/error.h"
#include "server/profilers.h"

#include <chrono>
#include <sys/eventfd.h>
#include <unistd.h>

namespace rpslab::server {

namespace {

// How long past its duration a request may take before its silent workers are given up.
constexpr auto answer_margin = std::chrono::seconds(15);

} // namespace

debug_relay::debug_relay(core::event_loop& loop, std::span<const worker_counters> slots,
                         std::function<int(std::size_t)> control_of)
    : _loop(loop), _slots(slots), _control_of(std::move(control_of)), _wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!_wake) {
        core::throw_errno("eventfd");
    }
    if (!_loop.add(_wake.get(), EPOLLIN, this)) {
        core::throw_errno("epoll_ctl add eventfd");
    }
}

debug_relay::~debug_relay() {
    if (_wake) {
        _loop.remove(_wake.get());
        _loop.forget(this);
    }
}

collected debug_relay::collect(const collect_request& req, const std::atomic<bool>& cancel) {
    {
        std::lock_guard lock(_mutex);
        _req = req;
        ++_seq;
        _parts.clear();
        for (std::size_t i = 0; i < _slots.size(); ++i) {
            if (!req.worker || *req.worker == i) {
                _parts.push_back({i, make_private_file(), part_state::posted, {}});
            }
        }
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(_wake.get(), &one, sizeof one);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(req.duration_ms) + answer_margin;
    std::unique_lock lock(_mutex);
    while (!all_settled()) {
        if (cancel.load(std::memory_order_relaxed) || std::chrono::steady_clock::now() >= deadline) {
            for (part& p : _parts) {
                if (p.state == part_state::posted || p.state == part_state::sent) {
                    p.state = part_state::failed;
                    p.why = cancel.load(std::memory_order_relaxed) ? "the server is stopping" : "no answer";
                }
            }
            break;
        }
        _settled.wait_for(lock, std::chrono::milliseconds(100));
    }
    collected out = gather(req);
    ++_seq; // answers still on their way belong to no request now
    _parts.clear();
    return out;
}

bool debug_relay::all_settled() const {
    for (const part& p : _parts) {
        if (p.state == part_state::posted || p.state == part_state::sent) {
            return false;
        }
    }
    return true;
}

// Under _mutex, every part settled: the files of the workers that answered.
collected debug_relay::gather(const collect_request& req) {
    collected out;
    for (part& p : _parts) {
        std::string bytes;
        const bool read = read_private_file(p.file.get(), bytes);
        if (p.state == part_state::done && read) {
            out.profiles.push_back(std::move(bytes));
            out.workers.push_back(p.slot);
            continue;
        }
        // A failed heap sample leaves the worker's reason in its file.
        const bool heap_reason = req.what == collect_request::kind::heap_sample && !bytes.empty();
        const std::string& why = heap_reason ? bytes : p.why;
        out.skipped += (out.skipped.empty() ? "" : "; ") + ("worker " + std::to_string(p.slot) + ": " + why);
    }
    if (out.profiles.empty()) {
        out.error = out.skipped.empty() ? "no worker answered" : out.skipped;
    }
    return out;
}

void debug_relay::on_events(std::uint32_t) {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(_wake.get(), &count, sizeof count);
    std::lock_guard lock(_mutex);
    send_parts();
    _settled.notify_all();
}

void debug_relay::send_parts() {
    const control_type type =
        _req.what == collect_request::kind::cpu_profile ? control_type::profile : control_type::heap;
    for (part& p : _parts) {
        if (p.state != part_state::posted) {
            continue;
        }
        const int control = _control_of(p.slot);
        const control_message msg{type, static_cast<std::uint32_t>(p.slot), _req.duration_ms, _seq};
        if (control < 0) {
            p.state = part_state::failed;
            p.why = "not running (restarting?)";
        } else if (!send_control(control, msg, p.file.get())) {
            p.state = part_state::failed;
            p.why = "its control channel refused the request";
        } else {
            p.state = part_state::sent;
        }
    }
}

void debug_relay::on_done(const control_message& msg) {
    std::lock_guard lock(_mutex);
    if (msg.seq != _seq) {
        return;
    }
    for (part& p : _parts) {
        if (p.slot == msg.slot && p.state == part_state::sent) {
            p.state = msg.value == 0 ? part_state::done : part_state::failed;
            if (msg.value != 0) {
                p.why = "its profiler could not start (already running?)";
            }
        }
    }
    _settled.notify_all();
}

void debug_relay::on_worker_exit(std::size_t slot) {
    std::lock_guard lock(_mutex);
    for (part& p : _parts) {
        if (p.slot == slot && p.state == part_state::sent) {
            p.state = part_state::failed;
            p.why = "exited before it answered";
        }
    }
    _settled.notify_all();
}

} // namespace rpslab::server
