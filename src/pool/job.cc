#include "pool/job.h"

#include "http/accept_encoding.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <sys/mman.h>
#include <unistd.h>

namespace rpslab::pool {

namespace {

// Reads the parameter `name` into `out` if present; false for a bad value.
bool read_param(std::string_view query, std::string_view name, std::uint32_t max, std::uint32_t& out) {
    bool found = false;
    std::string_view text = http::query_param(query, name, found);
    if (!found) {
        return true;
    }
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > max) {
        return false;
    }
    out = value;
    return true;
}

std::int64_t thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool stopping(const std::atomic<bool>* stop) {
    return stop != nullptr && stop->load(std::memory_order_relaxed);
}

void spin_cpu(std::uint32_t ms, const std::atomic<bool>* stop) {
    const std::int64_t until = thread_cpu_ns() + static_cast<std::int64_t>(ms) * 1'000'000;
    volatile std::uint64_t sink = 0;
    while (thread_cpu_ns() < until && !stopping(stop)) {
        for (int i = 0; i < 1000; ++i) {
            sink = sink + static_cast<std::uint64_t>(i);
        }
    }
}

// Sleeps `ms` in slices, so that a shutdown waits at most one slice for a held job.
void hold(std::uint32_t ms, const std::atomic<bool>* stop) {
    constexpr std::uint32_t slice_ms = 50;
    while (ms > 0 && !stopping(stop)) {
        const std::uint32_t now_ms = std::min(ms, slice_ms);
        timespec t{0, static_cast<long>(now_ms) * 1'000'000};
        while (::clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR) {
        }
        ms -= now_ms;
    }
}

} // namespace

bool parse_job_params(std::string_view query, job_params& out, std::string_view& error) {
    if (!read_param(query, "ms", max_job_ms, out.ms)) {
        error = "ms must be an integer in 0..10000";
        return false;
    }
    if (!read_param(query, "kb", max_job_kb, out.kb)) {
        error = "kb must be an integer in 0..262144";
        return false;
    }
    if (!read_param(query, "cpu_ms", max_job_ms, out.cpu_ms)) {
        error = "cpu_ms must be an integer in 0..10000";
        return false;
    }
    if (!read_param(query, "deadline_ms", UINT32_MAX, out.deadline_ms)) {
        error = "deadline_ms must be a non-negative integer";
        return false;
    }
    return true;
}

bool run_job(const job_params& params, const std::atomic<bool>* stop) {
    // Mapped directly rather than through malloc: the memory goes back to the kernel when
    // the job ends, so resident memory shows exactly the jobs alive, in either mode.
    const std::size_t bytes = static_cast<std::size_t>(params.kb) * 1024;
    void* memory = nullptr;
    if (bytes > 0) {
        memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            return false;
        }
        const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        auto* bytes_ptr = static_cast<volatile char*>(memory);
        for (std::size_t i = 0; i < bytes; i += page) {
            bytes_ptr[i] = 1;
        }
    }
    hold(params.ms, stop);
    if (params.cpu_ms > 0) {
        spin_cpu(params.cpu_ms, stop);
    }
    if (memory != nullptr) {
        ::munmap(memory, bytes);
    }
    return true;
}

} // namespace rpslab::pool
