#include "tune/apply.h"

#include "tune/saved_state.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace rpslab::tune {

namespace {

void require_privileges(const host_root& root, const char* what) {
    if (root.is_system() && ::geteuid() != 0) {
        throw std::invalid_argument(std::string("tune ") + what +
                                    ": writing /proc and /sys needs root (euid 0); run it with sudo, "
                                    "or give --root DIR to work on a fake tree");
    }
}

// Saved bytes travel in JSON strings: only text the kernel prints is accepted.
bool printable(std::string_view bytes) {
    return std::all_of(bytes.begin(), bytes.end(),
                       [](char c) { return c == '\n' || c == '\t' || (c >= ' ' && c < 127); });
}

std::string failure_reason(const host_root& root, std::string_view rel) {
    const std::string path = root.path(rel);
    for (const read_failure& f : root.failures()) {
        if (f.path == path) {
            return f.reason();
        }
    }
    return "unreadable";
}

std::vector<saved_write> read_originals(host_root& root, const tuning_plan& plan) {
    std::vector<saved_write> saved;
    for (const planned_write& w : plan.writes) {
        auto bytes = root.read(w.rel);
        if (!bytes || !printable(*bytes)) {
            std::string why = bytes ? "unexpected bytes" : failure_reason(root, w.rel);
            throw std::runtime_error("tune apply: cannot save " + root.path(w.rel) + " (" + why + "); nothing written");
        }
        saved.push_back({w.rel, w.kind, *bytes, w.value + "\n"});
    }
    return saved;
}

// Writes the originals of the first `count` saved files back; returns the ones that failed.
std::vector<std::string> restore(host_root& root, const std::vector<saved_write>& saved, std::size_t count) {
    std::vector<std::string> failed;
    for (std::size_t i = count; i-- > 0;) {
        if (int err = root.write(saved[i].rel, saved[i].original); err != 0) {
            failed.push_back(root.path(saved[i].rel) + ": " + std::strerror(err));
        }
    }
    return failed;
}

[[noreturn]] void roll_back(host_root& root, const std::string& state_path, const saved_state& state,
                            std::size_t written, const std::string& problem) {
    std::vector<std::string> failed = restore(root, state.writes, written);
    if (failed.empty()) {
        remove_state(state_path, state);
        throw std::runtime_error("tune apply: " + problem + "; the " + std::to_string(written) +
                                 " files already written were restored");
    }
    std::string list;
    for (const std::string& f : failed) {
        list += "\n  " + f;
    }
    throw std::runtime_error("tune apply: " + problem + "; restoring failed for (the saved state stays at " +
                             state_path + "):" + list);
}

bool matches(const std::optional<std::string>& now, value_kind kind, const std::string& want) {
    return now && (*now == want || same_value(kind, *now, want));
}

} // namespace

apply_report apply_plan(host_root& root, const tuning_plan& plan, const std::string& state_path) {
    require_privileges(root, "apply");
    if (!plan.irqbalance_pids.empty()) {
        throw std::invalid_argument("tune apply: irqbalance is running (pid " +
                                    std::to_string(plan.irqbalance_pids.front()) +
                                    ") and would undo the IRQ pinning within seconds; stop it first: "
                                    "systemctl stop irqbalance");
    }
    if (load_state(state_path)) {
        throw std::invalid_argument("tune apply: a saved state from an earlier apply is at " + state_path +
                                    "; run rpslab tune revert first (applying again would save tuned values as "
                                    "the originals)");
    }
    if (plan.writes.empty()) {
        return {};
    }
    saved_state state{root.root(), plan.iface, {}, read_originals(root, plan)};
    store_state(state_path, state);
    for (std::size_t i = 0; i < state.writes.size(); ++i) {
        if (int err = root.write(state.writes[i].rel, state.writes[i].written); err != 0) {
            roll_back(root, state_path, state, i,
                      "writing " + root.path(state.writes[i].rel) + " failed: " + std::strerror(err));
        }
    }
    for (const saved_write& w : state.writes) {
        if (!matches(root.read(w.rel), w.kind, w.written)) {
            roll_back(root, state_path, state, state.writes.size(),
                      root.path(w.rel) + " does not read back as " + std::string(w.written, 0, w.written.size() - 1));
        }
    }
    return {state_path, state.writes.size()};
}

revert_report revert_saved(host_root& root, const std::string& state_path) {
    require_privileges(root, "revert");
    auto state = load_state(state_path);
    if (!state) {
        throw std::invalid_argument("tune revert: nothing to revert: no saved state at " + state_path);
    }
    if (state->root != root.root()) {
        throw std::invalid_argument("tune revert: " + state_path + " was saved for root " + state->root + ", not " +
                                    root.root());
    }
    revert_report report;
    for (auto w = state->writes.rbegin(); w != state->writes.rend(); ++w) {
        if (!matches(root.read(w->rel), w->kind, w->written)) {
            report.changed_since.push_back(root.path(w->rel));
        }
        int err = root.write(w->rel, w->original);
        if (err != 0) {
            report.failures.push_back(root.path(w->rel) + ": " + std::strerror(err));
        } else if (!matches(root.read(w->rel), w->kind, w->original)) {
            report.failures.push_back(root.path(w->rel) + ": does not read back as the saved value");
        } else {
            ++report.restored;
        }
    }
    if (report.failures.empty()) {
        report.left_behind = remove_state(state_path, *state);
    }
    return report;
}

} // namespace rpslab::tune
