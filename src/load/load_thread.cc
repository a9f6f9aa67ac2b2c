#include "load/load_thread.h"

#include "core/affinity.h"
#include "core/clock.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <time.h>

namespace rpslab::load {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t timeout_check_ns = 10'000'000; // scanning every connection costs; 100 times a second is plenty
constexpr std::size_t read_buffer_bytes = 256 * 1024;

std::int64_t thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * ns_per_s + ts.tv_nsec;
}

// Time this thread spent waiting on a run queue (runnable but not running), from the
// scheduler's statistics; 0 where the kernel does not provide them.
std::int64_t thread_runqueue_ns() {
    std::FILE* f = std::fopen("/proc/thread-self/schedstat", "r");
    if (f == nullptr) {
        return 0;
    }
    long long on_cpu = 0, waiting = 0;
    int n = std::fscanf(f, "%lld %lld", &on_cpu, &waiting);
    std::fclose(f);
    return n == 2 ? waiting : 0;
}

std::uint64_t to_us(std::int64_t ns) {
    return ns <= 0 ? 0 : static_cast<std::uint64_t>((ns + 500) / 1000);
}

} // namespace

load_thread::load_thread(const run_config& config, const request_batch& batch, std::size_t index,
                         std::size_t connections, std::uint64_t requests, double rate)
    : _config(&config), _batch(&batch), _index(index), _read_buffer(read_buffer_bytes), _share(requests), _rate(rate) {
    for (std::size_t i = 0; i < connections; ++i) {
        _clients.push_back(std::make_unique<client>(*this, config.pipeline, (index * connections + i) * 101));
    }
    _ready.reserve(connections);
    _retry.reserve(connections);
    _intended.resize(config.pipeline);
}

void load_thread::run(std::int64_t start_ns) {
    if (!_config->cpus.empty()) {
        core::pin_current_thread(_config->cpus[_index % _config->cpus.size()]);
    }
    _measure_start_ns = start_ns + _config->warmup_ms * 1'000'000;
    if (_share == 0) {
        _end_ns = _measure_start_ns + _config->duration_ms * 1'000'000;
    }
    _pacer = pacer(_rate, start_ns);
    // All threads start together, at a moment the runner picked just ahead.
    timespec start{static_cast<time_t>(start_ns / ns_per_s), static_cast<long>(start_ns % ns_per_s)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &start, nullptr) == EINTR) {
    }
    for (auto& c : _clients) {
        c->connect();
    }
    std::int64_t now = core::monotonic_ns();
    while (!done(now)) {
        std::int64_t wait_ns = std::max<std::int64_t>(next_wake_ns(now) - now, 0);
        // Only the open loop needs sub-millisecond wake-ups; a nanosecond timeout arms an
        // hrtimer on every wait, which the closed loop need not pay for.
        int n = _rate > 0 ? _loop.wait_ns(wait_ns) : _loop.wait(static_cast<int>((wait_ns + 999'999) / 1'000'000));
        if (n < 0) {
            break;
        }
        _loop.dispatch();
        now = core::monotonic_ns();
        tick(now);
    }
    now = std::min(core::monotonic_ns(), _end_ns == INT64_MAX ? core::monotonic_ns() : _end_ns);
    if (_cpu_start_ns >= 0) {
        _result.cpu_s = static_cast<double>(thread_cpu_ns() - _cpu_start_ns) / 1e9;
        _result.runnable_s = static_cast<double>(thread_runqueue_ns() - _runqueue_start_ns) / 1e9;
        _result.wall_s = static_cast<double>(now - _measure_start_ns) / 1e9;
        _result.measure_start_ns = _measure_start_ns;
        _result.measure_end_ns = now;
    }
    close_second(now);
    finished.store(true);
}

bool load_thread::done(std::int64_t now_ns) const {
    if (_share > 0) {
        return _finished >= _share;
    }
    return now_ns >= _end_ns;
}

std::int64_t load_thread::next_wake_ns(std::int64_t now_ns) const {
    std::int64_t next = std::min(_end_ns, _next_timeout_check_ns);
    if (now_ns >= _measure_start_ns) {
        next = std::min(next, _measure_start_ns + static_cast<std::int64_t>(_second + 1) * ns_per_s);
    } else {
        next = std::min(next, _measure_start_ns);
    }
    if (_rate > 0 && !_ready.empty() && (_share == 0 || _assigned < _share)) {
        next = std::min(next, _pacer.intended_ns(_scheduled));
    }
    if (!_retry.empty()) {
        next = std::min(next, now_ns + 10'000'000); // reconnect after 10 ms, not in a tight loop
    }
    return next;
}

void load_thread::tick(std::int64_t now_ns) {
    if (_cpu_start_ns < 0 && now_ns >= _measure_start_ns) {
        _cpu_start_ns = thread_cpu_ns();
        _runqueue_start_ns = thread_runqueue_ns();
    }
    if (_rate > 0) {
        schedule_open_loop(now_ns);
    }
    while (now_ns >= _measure_start_ns + static_cast<std::int64_t>(_second + 1) * ns_per_s && now_ns < _end_ns) {
        close_second(now_ns);
    }
    if (now_ns >= _next_timeout_check_ns) {
        _next_timeout_check_ns = now_ns + timeout_check_ns;
        check_timeouts(now_ns);
        if (!_retry.empty()) {
            std::vector<client*> again;
            again.swap(_retry);
            for (client* c : again) {
                c->connect();
            }
        }
    }
}

// Records the lateness of every request that became due, then hands due requests to
// connections with free slots, oldest first. A request waiting for a slot keeps its
// intended time, so the wait shows in its latency (coordinated omission corrected).
void load_thread::schedule_open_loop(std::int64_t now_ns) {
    std::uint64_t due = _pacer.due(now_ns);
    if (_share > 0) {
        due = std::min(due, _share);
    }
    for (; _scheduled < due; ++_scheduled) {
        if (measuring(now_ns)) {
            _result.lag.record(to_us(now_ns - _pacer.intended_ns(_scheduled)));
        }
    }
    while (_assigned < due && !_ready.empty()) {
        client* c = _ready.back();
        std::size_t k = std::min<std::uint64_t>(c->free_slots(), due - _assigned);
        if (k == 0) {
            c->in_ready_list = false;
            _ready.pop_back();
            continue;
        }
        for (std::size_t i = 0; i < k; ++i) {
            _intended[i] = _pacer.intended_ns(_assigned + i);
        }
        _assigned += k;
        c->send(k, _intended.data(), now_ns);
        if (c->free_slots() == 0) {
            c->in_ready_list = false;
            _ready.pop_back();
        }
    }
}

void load_thread::on_slots_free(client& c) {
    if (_rate > 0) {
        if (!c.in_ready_list && c.free_slots() > 0) {
            c.in_ready_list = true;
            _ready.push_back(&c);
        }
        return;
    }
    std::size_t k = c.free_slots();
    if (_share > 0) {
        k = static_cast<std::size_t>(std::min<std::uint64_t>(k, _share - _assigned));
    }
    if (k > 0) {
        _assigned += k;
        c.send(k, nullptr, core::monotonic_ns());
    }
}

void load_thread::on_sent(std::size_t k, std::size_t in_flight) {
    _result.sent += k;
    _result.max_in_flight = std::max<std::uint64_t>(_result.max_in_flight, in_flight);
}

void load_thread::on_response(int status, std::int64_t intended_ns, std::int64_t sent_ns, std::int64_t now_ns) {
    ++_finished;
    if (!measuring(now_ns)) {
        if (now_ns < _measure_start_ns) {
            ++_result.warmup_responses;
        }
        return;
    }
    ++_result.responses;
    ++_second_responses;
    _result.status[status < 600 && status >= 0 ? status : 0]++;
    if (_config->verify_status != 0 && status != _config->verify_status) {
        _result.errors.add(error_kind::status, 0);
    }
    std::uint64_t latency_us = to_us(now_ns - intended_ns);
    _result.latency.record(latency_us);
    _interval.record(latency_us);
    if (_rate > 0) {
        _result.service.record(to_us(now_ns - sent_ns));
    }
}

void load_thread::on_errors(error_kind kind, int err, std::uint64_t requests) {
    if (kind != error_kind::connect) {
        _finished += requests;
    }
    _result.errors.add(kind, err, requests);
    _progress.errors.store(_result.errors.total(), std::memory_order_relaxed);
}

void load_thread::on_closed(client& c) {
    ++_result.reconnects;
    c.in_ready_list = false;
    std::erase(_ready, &c);
    if (_share > 0 && _assigned >= _share) {
        return; // -n: everything was sent; no need to reconnect
    }
    _retry.push_back(&c);
}

void load_thread::check_timeouts(std::int64_t now_ns) {
    const std::int64_t limit_ns = _config->timeout_ms * 1'000'000;
    for (auto& c : _clients) {
        if (c->in_flight() > 0 && now_ns - c->oldest_sent_ns() > limit_ns) {
            c->fail(error_kind::timeout, ETIMEDOUT);
        }
    }
}

// Ends the measured second `_second`: its count, its latency histogram (kept sparse) and
// the live progress figures.
void load_thread::close_second(std::int64_t now_ns) {
    if (now_ns < _measure_start_ns) {
        return;
    }
    _result.per_second.push_back(_second_responses);
    interval_snapshot snap;
    snap.max_us = _interval.max();
    for (const auto& b : _interval.buckets()) {
        snap.buckets.emplace_back(static_cast<std::uint32_t>(b.index), b.count);
    }
    _result.intervals.push_back(std::move(snap));
    _progress.responses.store(_result.responses, std::memory_order_relaxed);
    _progress.last_second_p99_us.store(_interval.value_at_percentile(99.0), std::memory_order_relaxed);
    _interval.reset();
    _second_responses = 0;
    ++_second;
}

} // namespace rpslab::load
