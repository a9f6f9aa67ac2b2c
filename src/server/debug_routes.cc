#include "server/debug_routes.h"

#include "core/clock.h"
#include "metrics/cpu_profile.h"
#include "metrics/wait_report.h"
#include "server/profilers.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <optional>

namespace rpslab::server {

namespace {

constexpr std::int64_t default_profile_seconds = 30; // as Go's net/http/pprof
constexpr std::int64_t default_wait_seconds = 5;

debug_response error(http::status s, std::string message) {
    debug_response r;
    r.status = s;
    r.body = std::move(message) + "\n";
    return r;
}

struct param {
    std::string_view name, value;
};

// The query's name=value pairs (no percent-decoding: every value here is a number or a word).
std::vector<param> split_query(std::string_view query) {
    std::vector<param> out;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const std::size_t eq = pair.find('=');
        out.push_back({pair.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1)});
    }
    return out;
}

// The parsed query of one endpoint: every name must be one it takes, each at most once.
struct query_args {
    std::optional<std::string_view> seconds, worker, format;
    std::string problem; // non-empty: answer 400 with it
};

query_args read_query(std::string_view query, std::initializer_list<std::string_view> allowed) {
    query_args a;
    for (const param& p : split_query(query)) {
        std::optional<std::string_view>* slot = p.name == "seconds"  ? &a.seconds
                                                : p.name == "worker" ? &a.worker
                                                : p.name == "format" ? &a.format
                                                                     : nullptr;
        if (slot == nullptr || std::find(allowed.begin(), allowed.end(), p.name) == allowed.end()) {
            std::string names;
            for (std::string_view name : allowed) {
                names += (names.empty() ? "" : ", ") + std::string(name);
            }
            a.problem = "unknown parameter '" + std::string(p.name) + "' (this endpoint takes: " + names + ")";
            return a;
        }
        if (slot->has_value()) {
            a.problem = "parameter '" + std::string(p.name) + "' given twice";
            return a;
        }
        *slot = p.value;
    }
    return a;
}

bool parse_whole(std::string_view text, std::int64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// ?seconds=: a whole number from 1 to max_debug_seconds; false with `r` the 400.
bool read_seconds(const query_args& a, std::int64_t fallback, std::int64_t& seconds, debug_response& r) {
    seconds = fallback;
    if (a.seconds && (!parse_whole(*a.seconds, seconds) || seconds < 1 || seconds > max_debug_seconds)) {
        r = error(http::status::bad_request, "seconds must be a whole number from 1 to " +
                                                 std::to_string(max_debug_seconds) + ", got '" +
                                                 std::string(*a.seconds) + "'");
        return false;
    }
    return true;
}

// ?worker=: a worker index of this server (404 past the last); false with `r` the error.
bool read_worker(const query_args& a, std::size_t workers, std::optional<std::size_t>& worker, debug_response& r) {
    if (!a.worker) {
        return true;
    }
    std::int64_t i = 0;
    if (!parse_whole(*a.worker, i) || i < 0) {
        r = error(http::status::bad_request,
                  "worker must be a worker index (a whole number), got '" + std::string(*a.worker) + "'");
        return false;
    }
    if (static_cast<std::uint64_t>(i) >= workers) {
        r = error(http::status::not_found,
                  "no worker " + std::to_string(i) + ": this server has workers 0 to " + std::to_string(workers - 1));
        return false;
    }
    worker = static_cast<std::size_t>(i);
    return true;
}

std::string worker_list(const std::vector<std::size_t>& workers) {
    std::string s;
    for (std::size_t w : workers) {
        s += (s.empty() ? "" : ",") + std::to_string(w);
    }
    return s;
}

// Holds the one-collection-at-a-time flag for a scope.
class collection_slot {
public:
    explicit collection_slot(std::atomic<bool>& flag) : _flag(flag), _held(!flag.exchange(true)) {}
    ~collection_slot() {
        if (_held) {
            _flag.store(false);
        }
    }
    bool held() const { return _held; }

private:
    std::atomic<bool>& _flag;
    bool _held;
};

debug_response collect_response(const collect_request& req, debug_target& target, std::atomic<bool>& collecting,
                                const std::atomic<bool>& cancel) {
    collection_slot slot(collecting);
    if (!slot.held()) {
        return error(http::status::conflict, "a profile is already being collected (one at a time per server); "
                                             "retry when it is done");
    }
    collected c = target.collect(req, cancel);
    if (!c.error.empty()) {
        return error(http::status::service_unavailable, "no profile: " + c.error);
    }
    debug_response r;
    r.content_type = "application/octet-stream";
    if (req.what == collect_request::kind::cpu_profile) {
        std::string error_text;
        if (!metrics::merge_cpu_profiles(c.profiles, r.body, error_text)) {
            return error(http::status::internal_server_error, "cannot merge the profiles: " + error_text);
        }
    } else {
        r.content_type = "text/plain; charset=utf-8";
        r.body = std::move(c.profiles.front()); // heap samples are not merged: one process
    }
    r.headers = "X-Rpslab-Workers: " + worker_list(c.workers) + "\r\n";
    if (!c.skipped.empty()) {
        r.headers += "X-Rpslab-Skipped: " + c.skipped + "\r\n";
    }
    return r;
}

debug_response profile(const http::request& req, debug_target& target, std::atomic<bool>& collecting,
                       const std::atomic<bool>& cancel) {
    query_args a = read_query(req.query, {"seconds", "worker"});
    if (!a.problem.empty()) {
        return error(http::status::bad_request, a.problem);
    }
    debug_response r;
    std::int64_t seconds = 0;
    collect_request c;
    if (!read_seconds(a, default_profile_seconds, seconds, r) || !read_worker(a, target.slots().size(), c.worker, r)) {
        return r;
    }
    c.what = collect_request::kind::cpu_profile;
    c.duration_ms = seconds * 1000;
    return collect_response(c, target, collecting, cancel);
}

debug_response heap(const http::request& req, debug_target& target, std::atomic<bool>& collecting,
                    const std::atomic<bool>& cancel) {
    if (!heap_sample_available()) {
        return error(http::status::not_implemented,
                     "heap profiles need tcmalloc: this build does not link it (configure with -DRPSLAB_TCMALLOC=ON)");
    }
    query_args a = read_query(req.query, {"worker"});
    if (!a.problem.empty()) {
        return error(http::status::bad_request, a.problem);
    }
    debug_response r;
    collect_request c;
    c.what = collect_request::kind::heap_sample;
    if (!read_worker(a, target.slots().size(), c.worker, r)) {
        return r;
    }
    if (!c.worker) {
        c.worker = 0; // heap samples are per process: worker 0's unless another is named
    }
    return collect_response(c, target, collecting, cancel);
}

std::vector<metrics::wait_snapshot> snapshot_all(std::span<const worker_counters> slots) {
    const std::int64_t now = core::monotonic_ns();
    std::vector<metrics::wait_snapshot> out;
    for (const worker_counters& c : slots) {
        out.push_back(metrics::take_wait_snapshot(c.metrics, now));
    }
    return out;
}

debug_response wait(const http::request& req, debug_target& target, const std::atomic<bool>& cancel) {
    query_args a = read_query(req.query, {"seconds", "format"});
    if (!a.problem.empty()) {
        return error(http::status::bad_request, a.problem);
    }
    debug_response r;
    std::int64_t seconds = 0;
    if (!read_seconds(a, default_wait_seconds, seconds, r)) {
        return r;
    }
    const bool json = a.format && *a.format == "json";
    if (a.format && !json && *a.format != "text") {
        return error(http::status::bad_request, "format must be text or json, got '" + std::string(*a.format) + "'");
    }
    const auto start = snapshot_all(target.slots());
    if (!sleep_unless_cancelled(seconds * 1000, cancel)) {
        return error(http::status::service_unavailable, "the server is stopping");
    }
    const auto end = snapshot_all(target.slots());
    std::vector<metrics::wait_row> rows;
    for (std::size_t i = 0; i < start.size(); ++i) {
        rows.push_back(metrics::wait_delta(i, start[i], end[i]));
    }
    r.content_type = json ? "application/json" : "text/plain; charset=utf-8";
    r.body = json ? metrics::format_wait_json(rows) : metrics::format_wait_text(rows);
    return r;
}

constexpr std::string_view index_text =
    "rpslab debug listener\n"
    "GET /debug/pprof/profile?seconds=N[&worker=I]  CPU profile (gperftools legacy format; google-pprof reads it)\n"
    "GET /debug/pprof/heap[?worker=I]               heap sample (builds with -DRPSLAB_TCMALLOC=ON)\n"
    "GET /debug/wait?seconds=N[&format=json]        where each worker's wall time went over N seconds\n";

} // namespace

debug_response handle_debug_request(const http::request& req, debug_target& target, std::atomic<bool>& collecting,
                                    const std::atomic<bool>& cancel) {
    if (req.method != http::method::get) {
        debug_response r = error(http::status::method_not_allowed, "the debug listener answers GET only");
        r.headers = "Allow: GET\r\n";
        return r;
    }
    if (req.path == "/debug/pprof/profile") {
        return profile(req, target, collecting, cancel);
    }
    if (req.path == "/debug/pprof/heap") {
        return heap(req, target, collecting, cancel);
    }
    if (req.path == "/debug/wait") {
        return wait(req, target, cancel);
    }
    if (req.path == "/" || req.path == "/debug" || req.path == "/debug/") {
        debug_response r;
        r.body = index_text;
        return r;
    }
    return error(http::status::not_found, "no such debug endpoint: " + std::string(req.path) + " (see GET /debug/)");
}

} // namespace rpslab::server
