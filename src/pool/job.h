// One /work job: what the request asked for, the times it passed through the pool, and how
// it ended. Jobs live in slots the pool allocates once; a refused request never gets one.
#pragma once

#include "pool/policy.h"

#include <atomic>
#include <cstdint>
#include <string_view>

namespace rpslab::pool {

// `GET /work?ms=M&kb=K&cpu_ms=C&deadline_ms=D` (DESIGN.md "The workloads").
struct job_params {
    std::uint32_t ms = 20;         // held, sleeping, as a blocking downstream call would
    std::uint32_t kb = 500;        // allocated and touched page by page
    std::uint32_t cpu_ms = 0;      // spun on the CPU
    std::uint32_t deadline_ms = 0; // the client gives up after this long; 0: never
};

// Upper bounds of the parameters: one job stays far below the idle timeout and the
// machine's memory.
inline constexpr std::uint32_t max_job_ms = 10'000;
inline constexpr std::uint32_t max_job_kb = 256 * 1024;

// Parses the query of a /work request; false with `error` set for a missing value, a
// non-number or a value out of range.
bool parse_job_params(std::string_view query, job_params& out, std::string_view& error);

struct job {
    job_params params;
    std::int64_t arrived_ns = 0;  // the request was parsed
    std::int64_t enqueued_ns = 0; // admitted
    std::int64_t deadline_ns = 0; // absolute; 0: none
    std::int64_t budget_ns = 0;   // the wait it was admitted under (policy::wait_budget_ns)
    std::int64_t started_ns = 0;
    std::int64_t finished_ns = 0;
    refusal refused = refusal::none; // shed or past its deadline before it ran
    bool failed = false;             // it could not run: no memory for it, or no thread
    // Who waits for it; the generation tells a reused owner from the one that submitted.
    void* owner = nullptr;
    std::uint64_t owner_generation = 0;
    job* next_free = nullptr;
};

// Runs the job's work on the calling thread: allocate, touch, hold, spin, free. Returns
// false if the memory could not be mapped. A set `stop` (a server shutting down) cuts the
// hold and the spin short; nullptr: never.
bool run_job(const job_params& params, const std::atomic<bool>* stop = nullptr);

} // namespace rpslab::pool
