#include "pool/naive.h"

#include "core/clock.h"

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace rpslab::pool {

namespace {

// How often the watchdog looks: at the published rates memory grows by hundreds of MB a
// second, so a coarser look would overshoot the cap by that much.
constexpr std::int64_t watch_interval_ms = 10;

} // namespace

std::uint64_t resident_bytes() {
    int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char text[128];
    ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n <= 0) {
        return 0;
    }
    text[n] = '\0';
    unsigned long long size = 0;
    unsigned long long resident = 0;
    if (std::sscanf(text, "%llu %llu", &size, &resident) != 2) {
        return 0;
    }
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/status", "re");
    if (f == nullptr) {
        return 0;
    }
    char line[256];
    unsigned long long kib = 0;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::sscanf(line, "VmHWM: %llu kB", &kib) == 1) {
            break;
        }
    }
    std::fclose(f);
    return kib * 1024;
}

naive_runner& naive_runner::instance(std::uint64_t max_rss_bytes) {
    // Never destroyed: detached job threads may still use it while the process exits.
    static naive_runner* runner = new naive_runner(max_rss_bytes);
    return *runner;
}

naive_runner::naive_runner(std::uint64_t max_rss_bytes) : _max_rss_bytes(max_rss_bytes) {
    std::thread([this] { watch(); }).detach();
}

void naive_runner::watch() {
    for (;;) {
        std::uint64_t rss = resident_bytes();
        if (rss > _max_rss_bytes) {
            std::fprintf(stderr,
                         "rpslab: --pool naive: resident memory %llu MiB passed --naive-max-rss %llu MiB; exiting "
                         "before the machine runs out of memory\n",
                         static_cast<unsigned long long>(rss >> 20),
                         static_cast<unsigned long long>(_max_rss_bytes >> 20));
            {
                std::lock_guard lock(_mutex);
                figures copy = _figures;
                copy.threads = _running;
                std::fputs(format_summary(copy, "naive (at the cap)").c_str(), stderr);
                std::fprintf(stderr, "rpslab: naive jobs running at the cap: %llu\n",
                             static_cast<unsigned long long>(_running));
            }
            std::fflush(stderr);
            ::_exit(3);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(watch_interval_ms));
    }
}

bool naive_runner::submit(const job_params& params, std::int64_t arrived_ns) {
    {
        std::lock_guard lock(_mutex);
        ++_running;
        ++_figures.accepted;
        _figures.threads_peak = std::max(_figures.threads_peak, _running);
    }
    try {
        std::thread([this, params, arrived_ns] { run(params, arrived_ns); }).detach();
        return true;
    } catch (const std::system_error&) {
        std::lock_guard lock(_mutex);
        --_running;
        --_figures.accepted;
        ++_figures.failed;
        return false;
    }
}

void naive_runner::run(job_params params, std::int64_t arrived_ns) {
    const std::int64_t started = core::monotonic_ns();
    const bool ok = run_job(params);
    const std::int64_t finished = core::monotonic_ns();
    std::lock_guard lock(_mutex);
    --_running;
    if (!ok) {
        ++_figures.failed;
        return;
    }
    ++_figures.completed;
    _figures.latency_us.record(static_cast<std::uint64_t>((finished - arrived_ns) / 1000));
    _figures.queued_us.record(static_cast<std::uint64_t>((started - arrived_ns) / 1000));
}

figures naive_runner::finish(std::int64_t timeout_ms) {
    const std::int64_t until = core::monotonic_ms() + timeout_ms;
    for (;;) {
        {
            std::lock_guard lock(_mutex);
            if (_running == 0 || core::monotonic_ms() >= until) {
                figures copy = _figures;
                copy.threads = _running;
                return copy;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace rpslab::pool
