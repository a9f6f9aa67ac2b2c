// The servers a bench compares, started the way their users would run them: rpslab in
// threads or prefork mode, nginx and h2o from their Debian packages with the configs in
// bench/peers/, and the Go peers built from bench/peers/. Each serves the bytes of one
// `rpslab pool dump`, pinned to the server CPUs.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace rpslab::bench {

struct bench_env {
    std::string rpslab_bin; // this binary
    std::string repo;       // holds bench/peers/ and build/peers/
    std::string pool_dir;   // `rpslab pool dump` output
    std::string run_dir;    // logs, pid files and rendered configs
    std::vector<int> server_cpus, client_cpus;
};

// Why `name` cannot run here ("nginx not found (package nginx-light; make deps)"), or "".
std::string missing_reason(const std::string& name, const bench_env& env);

// The path to drive for `workload` on `name`, as `rpslab load` takes it: "/read" for
// servers that pick a random product themselves, "/read/{0..499}.json" for the static
// servers. Empty when the server cannot serve the workload (a static server does not compute).
std::string load_path(const std::string& name, const std::string& workload);

// A path whose answer is a known file of the dump, to check the server sends its bytes:
// {path, file relative to the pool dir}.
struct body_check {
    std::string path;
    std::string file;
};
body_check check_for(const std::string& name, const std::string& workload, bool gzip);

// What a report says about the server's configuration in one line.
std::string settings_of(const std::string& name, int workers);
// `nginx -v` and the like; "" when unknown.
std::string version_of(const std::string& name, const bench_env& env);

struct started_server {
    pid_t pid = -1;
    std::string command;
    std::string config; // the rendered config file's text (nginx, h2o)
    std::string log_path;
};

class start_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Starts `name` on 127.0.0.1:port with `workers` workers pinned to env.server_cpus and
// waits until it answers; throws start_error (having stopped what it started) with the
// log's last lines when it does not within 10 s, and when something already answers on the
// port: a stale server must never be measured in its place.
started_server start_server(const std::string& name, std::uint16_t port, int workers, const bench_env& env);

// Stops the server and every process of its group.
void stop_server(started_server& s);

} // namespace rpslab::bench
