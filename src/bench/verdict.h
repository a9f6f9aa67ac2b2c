// What limited a measured number, from the utilisation sampled during the run, and the
// aggregation of a point's repetitions into one row (median, spread, Little's law). Pure
// functions of recorded figures, so the tests feed them recorded samples.
#pragma once

#include "bench/results.h"

#include <string>
#include <vector>

namespace rpslab::bench {

// At or above this share of its CPUs a side counts as saturated: the last few percent
// go to timer ticks, the sampler itself and rounding of the kernel's tick counts.
inline constexpr double saturated = 0.90;
// Above this share of a side's CPUs used by other processes (kernel threads aside),
// something else competed with it and the number is not that side's own: a server row so
// contended is never ranked. Below it lie stray daemons, the sampler and tick rounding.
inline constexpr double contended = 0.10;
// Time the hypervisor gave to other guests, worth naming above this share.
inline constexpr double stolen = 0.05;

struct verdict_input {
    double server_busy = 0;           // the server CPUs' busy share (/proc/stat, softirq included)
    double client_busy = 0;           // the client CPUs' busy share
    double server_busiest_thread = 0; // the busiest server thread's share of one CPU
    std::string server_busiest_name;
    bool generator_ceiling = false; // `rpslab load` reported its own threads saturated
    // Shares of each side's CPUs that went to other processes, and the busiest of those.
    double server_foreign = 0, client_foreign = 0;
    std::string server_foreign_top, client_foreign_top;
    double steal = 0; // share of both sides' CPUs stolen by the hypervisor
    // What each side could sustain at its measured CPU cost per request with all its CPUs
    // busy (0: unknown). On loopback both sides' CPUs also run the network stack, so both
    // can look saturated; the costs say which side would give out first.
    double server_capacity_rps = 0;
    double client_capacity_rps = 0;
};

struct verdict {
    std::string ceiling; // "server", "client" or "network/other"
    std::string reason;
    std::string contention; // non-empty when other work competed: "other work took 23% of the server CPUs (e.g. ...)"
};

// A saturated client makes the number a floor of the server's capacity, so the client
// wins a tie (capacities within 10% of each other): such a row is never ranked. A server
// that shared its CPUs with other work is not the ceiling either: "network/other".
verdict ceiling_of(const verdict_input& in);

// Little's law for a closed loop: the requests in flight (connections x pipeline) against
// rps x mean latency. True when they agree within 20%.
bool littles_law_holds(double in_flight, double rps, double mean_latency_us);

// Fills the row's figures from its repetitions (in the order run) and sets status "ok".
void aggregate(row& r, const std::vector<run_sample>& runs, const std::vector<std::string>& run_commands);

} // namespace rpslab::bench
