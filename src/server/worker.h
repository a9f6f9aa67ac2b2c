// A worker: one event loop on one thread (or, later, one process), its own SO_REUSEPORT
// listener, its connections, timers, Date cache and workload state. Workers share only
// immutable data; nothing on the request path is locked or shared.
#pragma once

#include "app/workloads.h"
#include "core/event_loop.h"
#include "core/fd.h"
#include "core/intrusive_list.h"
#include "http/date_cache.h"
#include "http/request.h"
#include "http/response.h"
#include "metrics/exposition.h"
#include "metrics/worker_metrics.h"
#include "pool/pool.h"
#include "server/config.h"
#include "server/connection.h"
#include "server/contended_lock.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rpslab::server {

// Written only by the worker's own thread. The supervisor owns the storage (shared memory
// in processes mode, so a restarted worker's predecessor's counts are kept) and reads it
// after the worker stopped; one cache line each, so workers never share a line.
struct alignas(64) worker_counters {
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0; // over --max-conns
    std::uint64_t requests = 0;
    std::uint64_t bad_requests = 0; // answered with a parse error status
    std::uint64_t timeouts = 0;
    metrics::worker_metrics metrics; // what /metrics sums over every slot
};

class worker final : public pool::job_sink {
public:
    // `listen_fd` stays owned by the supervisor; the worker only accepts from it.
    // `counters` must outlive the worker; `all` (every slot's, this one's included) is what
    // /metrics sums, and when empty it reports this worker alone.
    worker(const serve_config& config, const app::dataset& data, std::size_t index, int listen_fd,
           worker_counters& counters, std::span<const worker_counters> all = {});
    ~worker();

    // Listener hand-off (processes mode): serve another slot's listener while that slot is
    // down, until release_listener(slot). Worker thread only.
    void adopt_listener(core::unique_fd fd, std::size_t slot);
    void release_listener(std::size_t slot);

    // The worker's thread: serves until a stop request was honoured (drained or grace over).
    void run();
    // Any thread, also a signal handler: asks the worker to drain and stop.
    void request_stop();

    const worker_counters& counters() const { return *_counters; }
    std::size_t index() const { return _index; }

    // For this worker's connections.
    core::event_loop& loop() { return _loop; }
    const serve_config& config() const { return *_config; }
    std::span<http::header_field> fields() { return _fields; }
    app::workload_context& work() { return _work; }
    std::string_view date() const { return _date.value(); }
    std::int64_t now_ms() const { return _now_ms; }
    worker_counters& counters() { return *_counters; }
    bool draining() const { return _draining; }
    void arm_header_timer(connection& c); // keeps an already running header deadline
    void arm_idle_timer(connection& c);
    void arm_linger_timer(connection& c);
    void disarm_timer(connection& c);
    void release(connection& c); // the connection closed: back to the pool

    // A /work request: true if its job was handed to the pool (the connection hears of it
    // through connection::on_job_done); false with `now` set to answer at once (400, a 503
    // refusal, or the naive control's 202).
    bool start_job(connection& c, const http::request& req, std::int64_t arrived_ns, http::response& now);
    void on_job_done(pool::job& j) override;
    // The pool's figures (bounded) or this worker's share of the naive control's.
    pool::figures& work_figures() { return _pool ? _pool->stats() : _naive_figures; }
    metrics::worker_metrics& metrics() { return _counters->metrics; }
    // Once per request: nothing, unless the test-only --fault-contended-lock is on.
    void fault_pause() {
        if (_fault_lock) [[unlikely]] {
            _fault_lock->pass();
        }
    }
    // GET /metrics: every slot's metrics summed, in the worker's own text buffer.
    http::response metrics_response();

private:
    class stop_listener final : public core::event_handler {
    public:
        explicit stop_listener(worker& w) : _w(w) {}
        void on_events(std::uint32_t) override;

    private:
        worker& _w;
    };

    // One listening socket this worker accepts from: its own slot's, or an adopted one.
    class accept_source final : public core::event_handler {
    public:
        accept_source(worker& w, int listen_fd, std::size_t slot_index, core::unique_fd adopted = {})
            : _w(w), fd(listen_fd), slot(slot_index), owned(std::move(adopted)) {}
        void on_events(std::uint32_t) override { _w.accept_ready(*this); }

    private:
        worker& _w;

    public:
        int fd;
        std::size_t slot;
        core::unique_fd owned; // adopted listeners: our copy of the descriptor
    };

    void accept_ready(accept_source& source);
    void on_accept_exhausted(int err);
    void poll_listeners(bool on);
    void start_drain();
    void tick();
    int wait_timeout_ms() const;
    void arm_timer(connection& c, connection::timer_kind kind, core::intrusive_list& list, std::int64_t timeout_ms);
    connection* acquire();
    http::response refusal_response(pool::refusal r);

    const serve_config* _config;
    std::size_t _index;
    std::vector<std::unique_ptr<accept_source>> _sources; // [0] is the worker's own slot
    core::event_loop _loop;
    core::unique_fd _stop_fd;
    stop_listener _stop_listener{*this};
    app::workload_context _work;
    http::date_cache _date;
    std::vector<http::header_field> _fields;
    std::vector<std::unique_ptr<connection>> _connections; // every connection object ever made
    std::vector<connection*> _free;
    core::intrusive_list _header_timers, _idle_timers, _linger_timers;
    worker_counters* _counters;
    std::size_t _open = 0;
    std::int64_t _now_ms = 0;
    std::int64_t _accept_resume_ms = 0; // after EMFILE: when to try accepting again
    std::int64_t _grace_deadline_ms = 0;
    bool _listening = false;
    bool _draining = false;
    bool _done = false;
    void publish_second(); // the figures copied once a second: pool, resident memory
    std::vector<const metrics::worker_metrics*> _metric_slots;
    std::string _metrics_text;
    std::int64_t _published_s = 0;
    std::unique_ptr<contended_lock> _fault_lock; // --fault-contended-lock only
    pool::figures _naive_figures;                // --pool naive: the 503s when no thread could be had
    std::unique_ptr<pool::bounded_pool> _pool;   // last: its threads stop before anything else goes
};

} // namespace rpslab::server
