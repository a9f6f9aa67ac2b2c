#include "server/worker.h"

#include "core/clock.h"
#include "core/error.h"
#include "pool/naive.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rpslab::server {

namespace {

// Accepts per wake-up: bounds the time one listener event can keep connections waiting.
constexpr int accept_budget = 64;
// How long to stop accepting after EMFILE/ENFILE: long enough not to spin, short enough
// to notice freed descriptors quickly.
constexpr std::int64_t accept_backoff_ms = 100;
// Connections made during warm-up are kept for reuse: accepting then costs no allocation.
constexpr std::size_t reserve_connections = 256;
// How long a closing connection waits for its peer's FIN after the final response.
constexpr std::int64_t linger_ms = 2000;

} // namespace

worker::worker(const serve_config& config, const app::dataset& data, std::size_t index, int listen_fd,
               worker_counters& counters, std::span<const worker_counters> all)
    : _config(&config), _index(index), _stop_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), _work(data, index),
      _fields(config.limits.max_header_count), _counters(&counters) {
    if (!_stop_fd) {
        core::throw_errno("eventfd");
    }
    _connections.reserve(reserve_connections);
    _free.reserve(reserve_connections);
    _now_ms = core::monotonic_ms();
    _date.update(core::wall_seconds());
    if (!_loop.add(_stop_fd.get(), EPOLLIN, &_stop_listener)) {
        core::throw_errno("epoll_ctl add eventfd");
    }
    _sources.push_back(std::make_unique<accept_source>(*this, listen_fd, index));
    if (!_loop.add(listen_fd, EPOLLIN, _sources.back().get())) {
        core::throw_errno("epoll_ctl add listener");
    }
    _listening = true;
    for (const worker_counters& c : all) {
        _metric_slots.push_back(&c.metrics);
    }
    if (all.empty()) {
        _metric_slots.push_back(&counters.metrics);
    }
    _metrics_text.reserve(64 * 1024); // a scrape's text, kept: scrapes do not allocate
    if (config.work_pool == serve_config::pool_mode::bounded) {
        auto& pool_wait = metrics().lock_wait_ns[static_cast<std::size_t>(metrics::lock_id::pool)];
        _pool = std::make_unique<pool::bounded_pool>(worker_pool_settings(config), _loop, *this, &pool_wait);
    }
    if (config.fault_contended_lock) {
        _fault_lock = std::make_unique<contended_lock>(
            metrics().lock_wait_ns[static_cast<std::size_t>(metrics::lock_id::test_fault)]);
    }
}

void worker::adopt_listener(core::unique_fd fd, std::size_t slot) {
    int raw = fd.get();
    _sources.push_back(std::make_unique<accept_source>(*this, raw, slot, std::move(fd)));
    if (_listening && !_loop.add(raw, EPOLLIN, _sources.back().get())) {
        std::fprintf(stderr, "rpslab: worker %zu: cannot poll adopted listener of slot %zu: %s\n", _index, slot,
                     std::strerror(errno));
    }
    std::fprintf(stderr, "rpslab: worker %zu: serving the listener of slot %zu while it is down\n", _index, slot);
}

void worker::release_listener(std::size_t slot) {
    for (std::size_t i = 1; i < _sources.size(); ++i) {
        if (_sources[i]->slot == slot) {
            _loop.remove(_sources[i]->fd);
            _loop.forget(_sources[i].get());
            _sources.erase(_sources.begin() + static_cast<std::ptrdiff_t>(i));
            return;
        }
    }
}

// Starts or stops polling every listener (EMFILE back-off, drain).
void worker::poll_listeners(bool on) {
    if (on == _listening) {
        return;
    }
    for (auto& s : _sources) {
        if (on) {
            _loop.add(s->fd, EPOLLIN, s.get());
        } else {
            _loop.remove(s->fd);
        }
    }
    _listening = on;
}

worker::~worker() = default;

void worker::request_stop() {
    std::uint64_t one = 1;
    // Only async-signal-safe calls here; a full counter just means a stop is pending already.
    [[maybe_unused]] auto n = ::write(_stop_fd.get(), &one, sizeof one);
}

void worker::stop_listener::on_events(std::uint32_t) {
    std::uint64_t value = 0;
    [[maybe_unused]] auto n = ::read(_w._stop_fd.get(), &value, sizeof value);
    _w.start_drain();
}

void worker::run() {
    metrics::worker_metrics& m = metrics();
    // Where /debug/wait finds this thread's scheduler delay.
    m.process_id.set(static_cast<std::uint64_t>(::getpid()));
    m.thread_id.set(static_cast<std::uint64_t>(::gettid()));
    while (!_done) {
        int n = 0;
        if constexpr (core::metrics_enabled) {
            const std::int64_t before_ns = core::monotonic_ns();
            m.epoll_wait_since_ns.set(static_cast<std::uint64_t>(before_ns));
            n = _loop.wait(wait_timeout_ms());
            const std::int64_t after_ns = core::monotonic_ns();
            m.epoll_wait_ns.add(static_cast<std::uint64_t>(after_ns - before_ns));
            m.epoll_wait_since_ns.set(0); // after the add: /debug/wait reads them in this order
            m.loop_iterations.add();
        } else {
            n = _loop.wait(wait_timeout_ms());
        }
        _now_ms = core::monotonic_ms();
        _date.update(core::wall_seconds());
        if (n < 0) {
            std::fprintf(stderr, "rpslab: worker %zu: epoll_wait: %s\n", _index, std::strerror(errno));
            return;
        }
        _loop.dispatch();
        tick();
    }
}

int worker::wait_timeout_ms() const {
    // At most a second, so that the Date header and timeouts stay within a second.
    std::int64_t next = _now_ms + 1000;
    for (const core::intrusive_list* list : {&_header_timers, &_idle_timers, &_linger_timers}) {
        if (auto* h = list->front()) {
            next = std::min(next, static_cast<connection*>(h->owner)->deadline_ms);
        }
    }
    if (!_listening && _accept_resume_ms > 0) {
        next = std::min(next, _accept_resume_ms);
    }
    if (_draining) {
        next = std::min(next, _grace_deadline_ms);
    }
    return static_cast<int>(std::max<std::int64_t>(next - _now_ms, 0));
}

void worker::publish_second() {
    const std::int64_t second = _now_ms / 1000;
    if (second == _published_s) {
        return;
    }
    _published_s = second;
    metrics::worker_metrics& m = metrics();
    const pool::figures& f = work_figures();
    m.pool_accepted.set(f.accepted);
    m.pool_completed.set(f.completed);
    m.pool_failed.set(f.failed);
    static_assert(std::tuple_size_v<decltype(f.refused)> == std::tuple_size_v<decltype(m.pool_refused)> + 1);
    for (std::size_t r = 0; r < m.pool_refused.size(); ++r) {
        m.pool_refused[r].set(f.refused[r + 1]); // refused[0] is refusal::none
    }
    m.pool_queue_depth.set(f.queue_depth);
    m.pool_threads.set(_pool ? _pool->live_threads() : 0);
    m.resident_bytes.set(pool::resident_bytes());
}

http::response worker::metrics_response() {
    publish_second();
    const auto layout = _config->run_mode == serve_config::mode::processes ? metrics::process_layout::process_per_worker
                                                                           : metrics::process_layout::one_process;
    metrics::render(_metrics_text, _metric_slots, layout);
    http::response r;
    r.content_type = metrics::content_type;
    r.body = _metrics_text;
    r.storage = http::body_storage::scratch; // copied: the next scrape rewrites the text
    return r;
}

void worker::tick() {
    publish_second();
    // Deadline lists stay sorted: every entry in one list got the same timeout when it
    // was appended, so only the fronts can have expired.
    for (core::intrusive_list* list : {&_header_timers, &_idle_timers, &_linger_timers}) {
        while (auto* h = list->front()) {
            auto* c = static_cast<connection*>(h->owner);
            if (c->deadline_ms > _now_ms) {
                break;
            }
            core::intrusive_list::unlink(h);
            ++_counters->timeouts;
            metrics().timeouts.add();
            c->on_timeout();
        }
    }
    if (!_listening && !_draining && _accept_resume_ms > 0 && _now_ms >= _accept_resume_ms) {
        _accept_resume_ms = 0;
        poll_listeners(true);
    }
    if (_draining && (_open == 0 || _now_ms >= _grace_deadline_ms)) {
        for (auto& c : _connections) {
            if (c->is_open()) {
                c->on_timeout();
            }
        }
        _done = true;
    }
}

void worker::accept_ready(accept_source& source) {
    for (int i = 0; i < accept_budget || _draining; ++i) {
        int fd = ::accept4(source.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno != EAGAIN) {
                on_accept_exhausted(errno);
            }
            return;
        }
        core::unique_fd client(fd);
        ++_counters->accepted;
        metrics().connections_accepted.add();
        if (_config->max_conns != 0 && _open >= _config->max_conns) {
            ++_counters->refused; // closing at once tells the client now, not after a timeout
            metrics().connections_refused.add();
            continue;
        }
        // Responses go out as whole batches; Nagle would only delay the last partial one.
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connection* c = acquire();
        ++_open;
        metrics().connections_open.set(_open);
        c->open(std::move(client));
        if (_draining) {
            c->begin_drain();
        }
    }
}

void worker::on_accept_exhausted(int err) {
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors or memory: the queued connections wait in the backlog while
        // open ones finish; polling the listener now would spin at 100% CPU.
        if (_listening) {
            std::fprintf(stderr, "rpslab: worker %zu: accept4: %s; pausing accepts for %lld ms\n", _index,
                         std::strerror(err), static_cast<long long>(accept_backoff_ms));
            poll_listeners(false);
        }
        _accept_resume_ms = _now_ms + accept_backoff_ms;
        return;
    }
    std::fprintf(stderr, "rpslab: worker %zu: accept4: %s\n", _index, std::strerror(err));
}

connection* worker::acquire() {
    if (!_free.empty()) {
        connection* c = _free.back();
        _free.pop_back();
        return c;
    }
    _connections.push_back(std::make_unique<connection>(*this));
    return _connections.back().get();
}

void worker::release(connection& c) {
    core::intrusive_list::unlink(&c.timer_hook);
    _loop.forget(&c);
    _free.push_back(&c);
    --_open;
    metrics().connections_open.set(_open);
}

void worker::disarm_timer(connection& c) {
    core::intrusive_list::unlink(&c.timer_hook);
    c.timer = connection::timer_kind::none;
}

bool worker::start_job(connection& c, const http::request& req, std::int64_t arrived_ns, http::response& now) {
    pool::job_params params;
    std::string_view error;
    if (!pool::parse_job_params(req.query, params, error)) {
        now = _work.error(http::status::bad_request, error);
        return false;
    }
    if (_pool) {
        pool::refusal r = _pool->submit(params, arrived_ns, &c, c.generation());
        if (r == pool::refusal::none) {
            return true;
        }
        now = refusal_response(r);
        return false;
    }
    if (pool::naive_runner::instance(naive_rss_cap(*_config)).submit(params, arrived_ns)) {
        now.status = http::status::accepted;
        now.content_type = "application/json";
        now.body = R"({"accepted":true})";
        return false;
    }
    now = refusal_response(pool::refusal::none); // out of threads (the runner counted it)
    return false;
}

http::response worker::refusal_response(pool::refusal r) {
    http::response resp =
        _work.error(http::status::service_unavailable, r == pool::refusal::none ? "no thread" : pool::refusal_name(r));
    resp.retry_after_s = _config->pool.retry_after_s;
    return resp;
}

void worker::on_job_done(pool::job& j) {
    // Queue time: until the job started, or until it was dropped without running.
    const std::int64_t left_queue_ns = j.started_ns != 0 ? j.started_ns : j.finished_ns;
    if (j.enqueued_ns != 0 && left_queue_ns > j.enqueued_ns) {
        metrics().pool_queue_ns.add(static_cast<std::uint64_t>(left_queue_ns - j.enqueued_ns));
    }
    auto* c = static_cast<connection*>(j.owner);
    // A connection closed while its job ran may already serve another client: the
    // generation tells.
    if (c->is_open() && c->generation() == j.owner_generation) {
        c->on_job_done(j);
    }
}

void worker::arm_timer(connection& c, connection::timer_kind kind, core::intrusive_list& list,
                       std::int64_t timeout_ms) {
    core::intrusive_list::unlink(&c.timer_hook);
    c.deadline_ms = _now_ms + timeout_ms;
    c.timer = kind;
    list.push_back(&c.timer_hook);
}

void worker::arm_header_timer(connection& c) {
    // The header deadline runs from the request's first byte: more bytes do not extend it,
    // or one byte a second would hold the connection forever (slowloris).
    if (c.timer == connection::timer_kind::header && c.timer_hook.linked()) {
        return;
    }
    arm_timer(c, connection::timer_kind::header, _header_timers, _config->header_timeout_ms);
}

void worker::arm_idle_timer(connection& c) {
    arm_timer(c, connection::timer_kind::idle, _idle_timers, _config->idle_timeout_ms);
}

void worker::arm_linger_timer(connection& c) {
    arm_timer(c, connection::timer_kind::linger, _linger_timers, linger_ms);
}

void worker::start_drain() {
    if (_draining) {
        return;
    }
    _draining = true;
    _grace_deadline_ms = _now_ms + _config->grace_ms;
    // Everything the kernel already queued for us is accepted and answered; the supervisor
    // closes the listener only after every worker drained.
    for (auto& s : _sources) {
        accept_ready(*s);
    }
    poll_listeners(false);
    for (auto& c : _connections) {
        if (c->is_open()) {
            c->begin_drain();
        }
    }
}

} // namespace rpslab::server
