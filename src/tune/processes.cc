#include "tune/processes.h"

#include "tune/text.h"

#include <algorithm>
#include <cerrno>

namespace rpslab::tune {

process_scan find_processes(host_root& root, std::string_view comm) {
    process_scan scan;
    auto entries = root.list("proc");
    if (!entries) {
        scan.saw_all = false;
        return scan;
    }
    std::size_t refused = 0;
    int refusal = 0;
    for (const std::string& entry : *entries) {
        if (!parse_int(entry)) {
            continue;
        }
        host_root::attempt name = root.try_read("proc/" + entry + "/comm");
        if (name.text && trim(*name.text) == comm) {
            scan.pids.push_back(std::stoi(entry));
        } else if (!name.text && name.error != ENOENT) { // ENOENT: it exited meanwhile
            ++refused;
            refusal = name.error;
        }
    }
    if (refused > 0) {
        // One line for all of them, not one per process.
        root.remember(
            {root.path("proc/*/comm"), refusal, std::to_string(refused) + (refused == 1 ? " process" : " processes")});
        scan.saw_all = false;
    }
    if (std::find(entries->begin(), entries->end(), "1") == entries->end()) {
        root.remember({root.path("proc/1"), ENOENT, "PID 1 always exists: other users' processes are hidden"});
        scan.saw_all = false;
    }
    std::sort(scan.pids.begin(), scan.pids.end());
    return scan;
}

} // namespace rpslab::tune
