#include "bench/servers.h"

#include "app/products.h"
#include "bench/probe.h"
#include "bench/process.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace rpslab::bench {

namespace {

bool is_static(const std::string& name) {
    return name == "nginx" || name == "h2o";
}
bool is_go(const std::string& name) {
    return name == "fasthttp" || name == "fasthttp-prefork" || name == "nethttp";
}

std::string find_program(const std::string& program, const std::string& fallback) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) {
            return dir + "/" + program;
        }
    }
    return ::access(fallback.c_str(), X_OK) == 0 ? fallback : "";
}

std::string binary_of(const std::string& name, const bench_env& env) {
    if (name == "rpslab" || name == "rpslab-prefork") {
        return env.rpslab_bin;
    }
    if (name == "nginx") {
        return find_program("nginx", "/usr/sbin/nginx");
    }
    if (name == "h2o") {
        return find_program("h2o", "/usr/bin/h2o");
    }
    std::string peer = env.repo + "/build/peers/" + (name == "nethttp" ? "nethttp" : "fasthttp") + "-peer";
    return ::access(peer.c_str(), X_OK) == 0 ? peer : "";
}

std::string replace_all(std::string text, const std::string& key, const std::string& value) {
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size())) {
        text.replace(pos, key.size(), value);
    }
    return text;
}

// nginx's worker_cpu_affinity: one worker on one CPU gets that CPU's bit; otherwise "auto"
// limited to the server CPUs' mask.
std::string nginx_affinity(const std::vector<int>& cpus, int workers) {
    std::string mask;
    int top = 0;
    for (int c : cpus) {
        top = std::max(top, c);
    }
    for (int bit = top; bit >= 0; --bit) {
        mask += std::find(cpus.begin(), cpus.end(), bit) != cpus.end() ? '1' : '0';
    }
    return workers == 1 && cpus.size() == 1 ? mask : "auto " + mask;
}

// The peers' templates (bench/peers/*.conf.in) with this run's values.
std::string render_config(const std::string& name, std::uint16_t port, int workers, const bench_env& env) {
    std::string text = read_file(env.repo + "/bench/peers/" + name + ".conf.in");
    const bool root = ::geteuid() == 0;
    text = replace_all(text, "@RUN_DIR@", env.run_dir);
    text = replace_all(text, "@ROOT@", env.pool_dir);
    if (name == "nginx") {
        text = replace_all(text, "@USER_LINE@", root ? "user root;" : "");
        text = replace_all(text, "@WORKERS@", std::to_string(workers));
        text = replace_all(text, "@CPU_AFFINITY@", nginx_affinity(env.server_cpus, workers));
        text = replace_all(text, "@LISTEN@", "127.0.0.1:" + std::to_string(port));
    } else {
        text = replace_all(text, "@USER_LINE@", root ? "user: root" : "");
        text = replace_all(text, "@THREADS@", std::to_string(workers));
        text = replace_all(text, "@HOST@", "127.0.0.1");
        text = replace_all(text, "@PORT@", std::to_string(port));
    }
    return text;
}

spawn_spec spec_for(const std::string& name, std::uint16_t port, int workers, const bench_env& env,
                    std::string& config) {
    spawn_spec s;
    s.cpus = env.server_cpus;
    s.log_path = env.run_dir + "/" + name + ".log";
    const std::string bin = binary_of(name, env);
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    if (name == "rpslab" || name == "rpslab-prefork") {
        s.argv = {bin,         "serve",
                  "--listen",  listen,
                  "--workers", std::to_string(workers),
                  "--cpus",    cpu_list_text(env.server_cpus)};
        if (name == "rpslab-prefork") {
            s.argv.insert(s.argv.end(), {"--mode", "processes"});
        }
    } else if (is_static(name)) {
        config = render_config(name, port, workers, env);
        const std::string conf_path = env.run_dir + "/" + name + ".conf";
        std::ofstream(conf_path) << config;
        s.argv =
            name == "nginx"
                ? std::vector<std::string>{bin, "-p", env.run_dir, "-e", env.run_dir + "/error.log", "-c", conf_path}
                : std::vector<std::string>{bin, "-m", "worker", "-c", conf_path};
    } else {
        // GOMAXPROCS as the worker count: one P per core the server is given, what a Go
        // deployment pinned to those cores runs with; prefork starts one child per P.
        s.env_extra = {"GOMAXPROCS=" + std::to_string(workers)};
        // -compute-live: /compute computed per request, as rpslab does (DESIGN.md); without
        // it the peers serve the precomputed compute.json, which is not the workload.
        s.argv = {bin, "-addr", listen, "-dir", env.pool_dir, "-compute-live"};
        if (name == "fasthttp-prefork") {
            s.argv.push_back("-prefork");
        }
    }
    return s;
}

} // namespace

std::string missing_reason(const std::string& name, const bench_env& env) {
    if (!binary_of(name, env).empty()) {
        if (is_static(name) && ::access((env.repo + "/bench/peers/" + name + ".conf.in").c_str(), R_OK) != 0) {
            return name + ": no bench/peers/" + name + ".conf.in under " + env.repo + " (give --repo)";
        }
        return "";
    }
    if (name == "nginx") {
        return "nginx not found (package nginx-light; make deps)";
    }
    if (name == "h2o") {
        return "h2o not found (package h2o; make deps)";
    }
    if (is_go(name)) {
        return name + ": " + env.repo + "/build/peers/" + (name == "nethttp" ? "nethttp" : "fasthttp") +
               "-peer not built (make peers; needs golang-go" +
               (name == "nethttp" ? std::string(")") : std::string(" and golang-github-valyala-fasthttp-dev)"));
    }
    return name + ": " + env.rpslab_bin + " not found";
}

std::string load_path(const std::string& name, const std::string& workload) {
    if (!is_static(name)) {
        return workload;
    }
    if (workload == "/compute") {
        return "";
    }
    // The dump's files, one per product of the pool rpslab serves.
    static const std::string read_files = "/read/{0.." + std::to_string(app::product_pool::pool_size - 1) + "}.json";
    return workload == "/read" ? read_files : workload;
}

body_check check_for(const std::string& name, const std::string& workload, bool gzip) {
    const std::string gz = gzip ? ".gz" : "";
    if (workload == "/read") {
        return {is_static(name) ? "/read/7.json" : "/read?id=7", "read/7.json" + gz};
    }
    if (workload == "/list") {
        return {"/list", "list.json" + gz};
    }
    if (workload == "/compute") {
        return {"/compute", "compute.json"};
    }
    return {"/simple", "simple.json"};
}

std::string settings_of(const std::string& name, int workers) {
    const std::string w = std::to_string(workers);
    if (name == "rpslab") {
        return w + " worker threads, one event loop each, SO_REUSEPORT";
    }
    if (name == "rpslab-prefork") {
        return w + " worker processes under a supervisor, SO_REUSEPORT";
    }
    if (name == "nginx") {
        return w + " worker processes, reuseport, sendfile, open_file_cache, gzip_static, keep-alive, no access log";
    }
    if (name == "h2o") {
        return w + " threads, file.send-compressed, keep-alive (h2o 2.2 has no SO_REUSEPORT)";
    }
    if (name == "fasthttp-prefork") {
        return w + " child processes with SO_REUSEPORT (fasthttp/prefork), GOMAXPROCS=1 each, /compute per request";
    }
    return "GOMAXPROCS=" + w + ", /compute per request";
}

std::string version_of(const std::string& name, const bench_env& env) {
    std::string bin = binary_of(name, env);
    if (bin.empty() || !(name == "nginx" || name == "h2o")) {
        return name == "rpslab" || name == "rpslab-prefork" ? "this build" : "";
    }
    std::string cmd = bin + (name == "nginx" ? " -v 2>&1" : " --version 2>&1");
    std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
    std::array<char, 256> line{};
    if (p && std::fgets(line.data(), static_cast<int>(line.size()), p.get()) != nullptr) {
        std::string v = line.data();
        while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) {
            v.pop_back();
        }
        return v;
    }
    return "";
}

started_server start_server(const std::string& name, std::uint16_t port, int workers, const bench_env& env) {
    if (port_answers(port)) {
        throw start_error("port " + std::to_string(port) + " already answers before " + name +
                          " starts: a stale server must never be measured in its place");
    }
    if (std::string why = missing_reason(name, env); !why.empty()) {
        throw start_error(why);
    }
    started_server s;
    spawn_spec spec = spec_for(name, port, workers, env, s.config);
    s.command = shell_line(spec.env_extra, spec.cpus, spec.argv);
    s.log_path = spec.log_path;
    s.pid = spawn(spec);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!still_running(s.pid)) {
            stop_server(s); // reaps it, and kills workers it may have left behind
            throw start_error(name + " exited at start-up: " + log_tail(s.log_path, 3));
        }
        try {
            if (http_get(port, "/simple", {}, 1000).status == 200) {
                return s;
            }
        } catch (const std::exception&) {
            // not serving yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop_server(s);
    throw start_error(name + " did not serve on port " + std::to_string(port) +
                      " within 10 s: " + log_tail(s.log_path, 3));
}

void stop_server(started_server& s) {
    if (s.pid > 0) {
        stop_group(s.pid, 5000);
        s.pid = -1;
    }
}

} // namespace rpslab::bench
