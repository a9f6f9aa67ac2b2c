#include "bench/machine.h"

#include "tune/check.h"
#include "tune/check_format.h"
#include "tune/host_root.h"
#include "tune/inspect.h"

#include <fstream>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

namespace rpslab::bench {

namespace {

std::string first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "unknown";
}

} // namespace

nlohmann::json describe_machine(const std::vector<int>& server_cpus, const std::vector<int>& client_cpus) {
    nlohmann::json m;
    utsname u{};
    ::uname(&u);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    m["hostname"] = host;
    m["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
    m["cpu_model"] = cpu_model();
    m["cores"] = ::sysconf(_SC_NPROCESSORS_ONLN);
    std::string governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
    m["governor"] = governor.empty() ? "none (no cpufreq: a VM or a fixed clock)" : governor;
    m["server_cpus"] = server_cpus;
    m["client_cpus"] = client_cpus;
    try {
        tune::host_root root("/");
        tune::host_state state = tune::inspect_host(root, "");
        std::vector<tune::finding> findings = tune::check_host(state);
        nlohmann::json nics = nlohmann::json::array();
        for (const auto& nic : state.nics) {
            nics.push_back(nic.name);
        }
        m["nics"] = nics;
        // The report shows the one-line tally; the findings are kept whole beside it.
        const std::string text = tune::format_check(state, findings);
        std::string tally = text.substr(0, text.find_last_not_of('\n') + 1);
        tally = tally.substr(tally.find_last_of('\n') + 1);
        m["tune_check"] = "rpslab tune check: " + tally + " (warnings: results.json machine.tune_check_text)";
        m["tune_check_text"] = text;
        m["tune_check_json"] = tune::check_json(state, findings);
    } catch (const std::exception& e) {
        m["tune_check"] = std::string("tune check failed: ") + e.what();
    }
    m["network"] = "loopback (127.0.0.1): server and client share the host";
    return m;
}

} // namespace rpslab::bench
