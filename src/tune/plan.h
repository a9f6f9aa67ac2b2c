// `tune plan`: a coherent layout for one NIC (its IRQs pinned to dedicated CPUs, workers on
// the others, RPS and RFS to match, the sysctls and governor a benchmark host wants) as the
// exact file writes that make it, each with the value it replaces. Pure: it plans from a
// host_state and reads nothing itself; `apply` carries out exactly these writes.
#pragma once

#include "tune/cpu_set.h"
#include "tune/inspect.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

enum class rps_mode { all, workers, off };

struct plan_options {
    std::string iface{};                  // empty: the host's only NIC
    std::optional<cpu_set> irq_cpus{};    // default: a CPU per queue on the NIC's node, whole cores, <= 1/4 of all
    std::optional<cpu_set> worker_cpus{}; // default: every online CPU the IRQs and their SMT siblings leave
    rps_mode rps = rps_mode::workers;
    std::optional<std::uint64_t> rfs_flows{}; // absent: RFS left as it is; 0: RFS off
};

// How a written value is compared with what the kernel reads back (it prints "0-3" for
// "0,1,2,3", pads masks, and turns spaces into tabs).
enum class value_kind { cpu_list, cpu_mask, number, words };

struct planned_write {
    std::string rel;    // relative to the root, e.g. "proc/irq/38/smp_affinity_list"
    std::string value;  // written with a trailing newline, as echo does
    std::string before; // the value read while planning, which the undo command writes back
    value_kind kind = value_kind::words;
    std::string why; // "eth0 IRQ 38 (virtio2-input.0) -> CPU 0"
};

struct tuning_plan {
    std::string root;
    std::string iface;
    cpu_set irq_cpus, worker_cpus;
    rps_mode rps = rps_mode::workers;
    std::optional<std::uint64_t> rfs_entries; // rps_sock_flow_entries written, when RFS is planned
    std::vector<planned_write> writes;        // only values that differ from the host's
    std::vector<int> irqbalance_pids;         // running now: it would undo the IRQ pinning
    std::vector<std::string> notes;           // warnings and what the plan leaves to the user
    std::string serve_command;                // the matching `rpslab serve` line
};

// Plans the layout; throws std::invalid_argument with a message for the user when the
// layout is unsafe (no CPU left for workers, CPUs that do not exist, IRQ and worker CPUs
// overlapping) or the NIC is ambiguous or unknown.
tuning_plan make_plan(const host_state& host, const plan_options& options);

// Whether two renderings of a value mean the same to the kernel.
bool same_value(value_kind kind, std::string_view a, std::string_view b);

// Parses "all", "workers", "off"; throws std::invalid_argument.
rps_mode parse_rps_mode(std::string_view text);
const char* rps_mode_name(rps_mode mode);
const char* value_kind_name(value_kind kind);
value_kind parse_value_kind(std::string_view text);

} // namespace rpslab::tune
