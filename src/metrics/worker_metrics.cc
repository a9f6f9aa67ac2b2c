#include "metrics/worker_metrics.h"

namespace rpslab::metrics {

namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(path::count_)> path_names{
    "/simple", "/read", "/list", "/compute", "/work", "/echo", "/metrics", "/healthz", "other"};

} // namespace

path path_of(std::string_view target_path) {
    for (std::size_t i = 0; i + 1 < path_names.size(); ++i) {
        if (target_path == path_names[i]) {
            return static_cast<path>(i);
        }
    }
    return path::other;
}

std::string_view path_name(path p) {
    return path_names[static_cast<std::size_t>(p)];
}

std::string_view lock_name(lock_id l) {
    return l == lock_id::pool ? "pool" : "test_fault";
}

} // namespace rpslab::metrics
