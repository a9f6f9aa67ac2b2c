#include "cli/tune_command.h"

#include "cli/duration.h"
#include "tune/apply.h"
#include "tune/check.h"
#include "tune/check_format.h"
#include "tune/inspect.h"
#include "tune/plan.h"
#include "tune/plan_format.h"
#include "tune/saved_state.h"
#include "tune/watch.h"

#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace rpslab::cli {

namespace {

void add_common(CLI::App* cmd, tune_flags& f) {
    cmd->add_option("--root", f.root, "Root of the sysfs/procfs tree to inspect (a fake tree for tests)")
        ->check(CLI::ExistingDirectory)
        ->capture_default_str();
    cmd->add_option("--iface", f.iface, "The interface to look at (default: every NIC; plan: the only one)");
    cmd->add_flag("--json", f.json, "Print JSON instead of text");
}

void add_plan_flags(CLI::App* cmd, tune_flags& f) {
    cmd->add_option("--irq-cpus", f.irq_cpus,
                    "CPUs for the NIC's IRQs, e.g. 0-7 (default: one per queue, near the NIC)");
    cmd->add_option("--worker-cpus", f.worker_cpus, "CPUs for the workers (default: the rest)");
    cmd->add_option("--rps", f.rps, "RPS masks: all, workers or off")
        ->check(CLI::IsMember({"all", "workers", "off"}))
        ->capture_default_str();
    cmd->add_option("--rfs", f.rfs, "Size RFS for this many flows, e.g. 64k (0: RFS off; absent: unchanged)");
}

void add_state_flag(CLI::App* cmd, tune_flags& f) {
    cmd->add_option("--state", f.state, "Saved-state file (default: ROOT/var/lib/rpslab/tune-saved.json)");
}

tune::plan_options plan_options_of(const tune_flags& f) {
    tune::plan_options o;
    o.iface = f.iface;
    if (!f.irq_cpus.empty()) {
        o.irq_cpus = tune::parse_cpu_list(f.irq_cpus);
    }
    if (!f.worker_cpus.empty()) {
        o.worker_cpus = tune::parse_cpu_list(f.worker_cpus);
    }
    o.rps = tune::parse_rps_mode(f.rps);
    if (!f.rfs.empty()) {
        o.rfs_flows = static_cast<std::uint64_t>(parse_count(f.rfs));
    }
    return o;
}

std::string state_path_of(const tune_flags& f, const tune::host_root& root) {
    return f.state.empty() ? tune::default_state_path(root.root()) : f.state;
}

void print(const std::string& text) {
    std::fputs(text.c_str(), stdout);
}

int run_check(const tune_flags& f) {
    tune::host_root root(f.root);
    tune::host_state host = tune::inspect_host(root, f.iface);
    std::vector<tune::finding> findings = tune::check_host(host);
    print(f.json ? tune::check_json(host, findings).dump(2) + "\n" : tune::format_check(host, findings));
    return 0;
}

int run_plan(const tune_flags& f) {
    tune::host_root root(f.root);
    tune::tuning_plan plan = tune::make_plan(tune::inspect_host(root, f.iface), plan_options_of(f));
    print(f.json ? tune::plan_json(plan).dump(2) + "\n" : tune::format_plan(plan));
    return 0;
}

int run_apply(const tune_flags& f) {
    tune::host_root root(f.root);
    tune::tuning_plan plan = tune::make_plan(tune::inspect_host(root, f.iface), plan_options_of(f));
    tune::apply_report report = tune::apply_plan(root, plan, state_path_of(f, root));
    if (f.json) {
        print(nlohmann::json{{"plan", tune::plan_json(plan)}, {"written", report.written}, {"state", report.state_path}}
                  .dump(2) +
              "\n");
    } else if (report.written == 0) {
        print("nothing to change: the host already has this layout\n");
    } else {
        print("wrote and verified " + std::to_string(report.written) + " files; saved the old values to " +
              report.state_path + " (rpslab tune revert restores them)\nnow run: " + plan.serve_command + "\n");
    }
    return 0;
}

int run_revert(const tune_flags& f) {
    tune::host_root root(f.root);
    const std::string state = state_path_of(f, root);
    tune::revert_report r = tune::revert_saved(root, state);
    if (f.json) {
        print(nlohmann::json{{"restored", r.restored},
                             {"changed_since_apply", r.changed_since},
                             {"failures", r.failures},
                             {"left_behind", r.left_behind}}
                  .dump(2) +
              "\n");
    } else {
        print("restored " + std::to_string(r.restored) + " files from " + state + "\n");
        for (const std::string& p : r.changed_since) {
            print("  changed by something else since apply (restored anyway): " + p + "\n");
        }
        for (const std::string& p : r.failures) {
            print("  not restored: " + p + "\n");
        }
        for (const std::string& p : r.left_behind) {
            print("  not removed: " + p + "\n");
        }
    }
    return r.failures.empty() ? 0 : 2;
}

int run_watch(const tune_flags& f) {
    tune::host_root root(f.root);
    tune::host_state host = tune::inspect_host(root, f.iface);
    tune::watch_options o;
    for (const tune::nic_state& nic : host.nics) {
        for (const tune::nic_irq& irq : nic.irqs) {
            o.irqs.push_back(irq.irq);
        }
    }
    if (!f.iface.empty()) {
        o.ifaces = {f.iface};
    }
    o.interval_ms = parse_duration_ms(f.interval);
    o.duration_ms = f.duration.empty() ? 0 : parse_duration_ms(f.duration);
    if (o.interval_ms <= 0) {
        throw std::invalid_argument("tune watch: --interval must be positive");
    }
    o.json = f.json;
    tune::run_watch(root, o, std::cout);
    return 0;
}

} // namespace

void add_tune(CLI::App& app, tune_flags& f, tune_commands& c) {
    c.tune = app.add_subcommand("tune", "Inspect, plan, apply and revert host tuning; watch interrupts and drops");
    c.tune->require_subcommand(1);
    c.check = c.tune->add_subcommand("check", "Report the host's state: observed, expected, why, how to fix");
    c.plan = c.tune->add_subcommand("plan", "Print the exact commands of a coherent layout, and their undo");
    c.apply = c.tune->add_subcommand("apply", "Save, apply and verify the plan (root only on the live host)");
    c.revert = c.tune->add_subcommand("revert", "Restore what apply saved");
    c.watch = c.tune->add_subcommand("watch", "Per interval: NIC interrupts per CPU, softirq time, packets, drops");
    for (CLI::App* cmd : {c.check, c.plan, c.apply, c.revert, c.watch}) {
        add_common(cmd, f);
    }
    add_plan_flags(c.plan, f);
    add_plan_flags(c.apply, f);
    add_state_flag(c.apply, f);
    add_state_flag(c.revert, f);
    c.watch->add_option("--interval", f.interval, "Sampling interval, e.g. 1s, 500ms")->capture_default_str();
    c.watch->add_option("--duration", f.duration, "Stop after this long (default: until interrupted)");
}

int run_tune_command(const tune_flags& f, const tune_commands& c) {
    if (c.check->parsed()) {
        return run_check(f);
    }
    if (c.plan->parsed()) {
        return run_plan(f);
    }
    if (c.apply->parsed()) {
        return run_apply(f);
    }
    if (c.revert->parsed()) {
        return run_revert(f);
    }
    return run_watch(f);
}

} // namespace rpslab::cli
