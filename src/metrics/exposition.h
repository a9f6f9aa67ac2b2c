// The Prometheus text exposition (format 0.0.4) of every worker's metrics, summed: any
// worker answers /metrics for the whole server. Per-worker detail only under names that
// start with rpslab_worker_.
#pragma once

#include "metrics/worker_metrics.h"

#include <span>
#include <string>

namespace rpslab::metrics {

inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

enum class process_layout : std::uint8_t { one_process, process_per_worker };

// Every worker slot's metrics, in slot order.
using slot_list = std::span<const worker_metrics* const>;

// Replaces `out` with the exposition of `slots` (values read relaxed, as they are now).
// `out` keeps its capacity, so a scrape allocates only while the text still grows.
void render(std::string& out, slot_list slots, process_layout layout);

} // namespace rpslab::metrics
