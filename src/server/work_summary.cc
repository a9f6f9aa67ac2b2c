#include "server/work_summary.h"

#include "pool/naive.h"

#include <cstdio>

namespace rpslab::server {

void print_work_summary(const serve_config& config, pool::figures workers, const std::string& who) {
    const bool naive = config.work_pool == serve_config::pool_mode::naive;
    if (naive) {
        pool::figures jobs = pool::naive_runner::instance(naive_rss_cap(config)).finish(config.grace_ms);
        workers.merge(jobs);
        if (jobs.threads > 0) {
            std::fprintf(stderr, "rpslab: %snaive jobs still running at exit: %llu\n", who.c_str(),
                         static_cast<unsigned long long>(jobs.threads));
        }
    }
    if (workers.accepted + workers.refused_total() + workers.failed == 0) {
        return;
    }
    std::string label = who + (naive ? "naive" : "pool");
    std::fputs(pool::format_summary(workers, label.c_str()).c_str(), stderr);
    std::fprintf(stderr, "rpslab: %speak resident memory %llu MiB\n", who.c_str(),
                 static_cast<unsigned long long>(pool::peak_resident_bytes() >> 20));
    std::fflush(stderr);
}

} // namespace rpslab::server
