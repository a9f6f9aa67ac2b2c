// One thread of `rpslab load`: an event loop with its share of the connections, its share
// of the requests (-n) or of the rate (-R), and its own histograms and counters; nothing is
// shared with the other threads until the results are merged after the run.
#pragma once

#include "core/event_loop.h"
#include "load/client.h"
#include "load/config.h"
#include "load/pacer.h"
#include "load/results.h"
#include "load/target.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace rpslab::load {

// Published once a second for the live progress line; written by the thread only.
struct alignas(64) live_progress {
    std::atomic<std::uint64_t> responses{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> last_second_p99_us{0};
};

class load_thread {
public:
    // `requests` is this thread's share of -n (0: run by time); `rate` its share of -R.
    load_thread(const run_config& config, const request_batch& batch, std::size_t index, std::size_t connections,
                std::uint64_t requests, double rate);

    // Runs from `start_ns` (CLOCK_MONOTONIC) to the end of the run; blocks.
    void run(std::int64_t start_ns);

    thread_result& result() { return _result; }
    std::atomic<bool> finished{false}; // set when run() returns
    live_progress& progress() { return _progress; }

    // For this thread's clients.
    core::event_loop& loop() { return _loop; }
    const run_config& config() const { return *_config; }
    const request_batch& batch() const { return *_batch; }
    char* read_buffer() { return _read_buffer.data(); }
    std::size_t read_buffer_size() const { return _read_buffer.size(); }
    void on_response(int status, std::int64_t intended_ns, std::int64_t sent_ns, std::int64_t now_ns);
    bool measuring(std::int64_t now_ns) const { return now_ns >= _measure_start_ns && now_ns < _end_ns; }
    void on_errors(error_kind kind, int err, std::uint64_t requests);
    void on_slots_free(client& c);
    void on_closed(client& c); // reconnect later
    void on_sent(std::size_t k, std::size_t in_flight);

private:
    bool done(std::int64_t now_ns) const;
    void schedule_open_loop(std::int64_t now_ns);
    void tick(std::int64_t now_ns);
    void close_second(std::int64_t now_ns);
    void check_timeouts(std::int64_t now_ns);
    std::int64_t next_wake_ns(std::int64_t now_ns) const;

    const run_config* _config;
    const request_batch* _batch;
    std::size_t _index;
    core::event_loop _loop;
    std::vector<char> _read_buffer;
    std::vector<std::unique_ptr<client>> _clients;
    std::vector<client*> _ready;         // open loop: clients with free slots
    std::vector<client*> _retry;         // closed by errors: reconnect at the next tick
    std::vector<std::int64_t> _intended; // scratch for one send's intended times
    std::uint64_t _share;                // -n share (0: by time)
    double _rate;
    pacer _pacer{0, 0};
    std::uint64_t _scheduled = 0; // open loop: requests whose lateness was recorded
    std::uint64_t _assigned = 0;  // requests handed to a connection (both loops)
    std::uint64_t _finished = 0;  // responses + failed requests (for -n)
    std::int64_t _measure_start_ns = 0;
    std::int64_t _end_ns = INT64_MAX;
    std::int64_t _next_timeout_check_ns = 0;
    std::int64_t _cpu_start_ns = -1;
    std::int64_t _runqueue_start_ns = 0;
    std::size_t _second = 0; // index of the measured second being counted
    std::uint64_t _second_responses = 0;
    stats::histogram _interval = make_latency_histogram();
    thread_result _result;
    live_progress _progress;
};

} // namespace rpslab::load
