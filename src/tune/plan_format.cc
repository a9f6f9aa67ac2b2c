#include "tune/plan_format.h"

#include "tune/text.h"

namespace rpslab::tune {

namespace {

std::string echo_to(const tuning_plan& plan, std::string_view value, const std::string& rel) {
    return "echo " + shell_word(value) + " > " + shell_word(join_root(plan.root, rel));
}

std::string layout_line(const tuning_plan& plan) {
    std::string rfs = plan.rfs_entries ? std::to_string(*plan.rfs_entries) + " flows" : "unchanged";
    return "# NIC IRQs on CPU " + format_cpu_list(plan.irq_cpus) + "; workers on CPU " +
           format_cpu_list(plan.worker_cpus) + "; RPS " + rps_mode_name(plan.rps) + "; RFS " + rfs + "\n";
}

void add_irqbalance_stop(const tuning_plan& plan, std::string& out) {
    if (plan.irqbalance_pids.empty()) {
        return;
    }
    out += "\n# first: irqbalance is running (pid " + std::to_string(plan.irqbalance_pids.front()) +
           ") and would undo the IRQ pinning; rpslab tune apply refuses while it runs\n";
    out += "systemctl stop irqbalance\n";
}

void add_writes(const tuning_plan& plan, std::string& out) {
    if (plan.writes.empty()) {
        out += "\n# nothing to change: the host already has this layout\n";
        return;
    }
    out += "\n# apply: rpslab tune apply with the same flags makes exactly these writes, saving the old values\n";
    for (const planned_write& w : plan.writes) {
        out += write_command(plan, w) + "  # " + w.why + "\n";
    }
}

void add_undo(const tuning_plan& plan, std::string& out) {
    if (plan.writes.empty() && plan.irqbalance_pids.empty()) {
        return;
    }
    out += "\n# undo: rpslab tune revert restores the saved bytes; by hand:\n";
    for (auto w = plan.writes.rbegin(); w != plan.writes.rend(); ++w) {
        out += undo_command(plan, *w) + "\n";
    }
    if (!plan.irqbalance_pids.empty()) {
        out += "systemctl start irqbalance\n";
    }
}

} // namespace

std::string write_command(const tuning_plan& plan, const planned_write& w) {
    return echo_to(plan, w.value, w.rel);
}

std::string undo_command(const tuning_plan& plan, const planned_write& w) {
    return echo_to(plan, w.before, w.rel);
}

std::string format_plan(const tuning_plan& plan) {
    std::string out = "# rpslab tune plan for " + plan.iface + " (root " + plan.root + ")\n" + layout_line(plan);
    add_irqbalance_stop(plan, out);
    add_writes(plan, out);
    out += "\n# then run the server on the worker CPUs\n" + plan.serve_command + "\n";
    add_undo(plan, out);
    if (!plan.notes.empty()) {
        out += "\n# notes\n";
        for (const std::string& note : plan.notes) {
            out += "# - " + note + "\n";
        }
    }
    return out;
}

nlohmann::json plan_json(const tuning_plan& plan) {
    nlohmann::json writes = nlohmann::json::array();
    for (const planned_write& w : plan.writes) {
        writes.push_back({{"path", join_root(plan.root, w.rel)},
                          {"value", w.value},
                          {"before", w.before},
                          {"kind", value_kind_name(w.kind)},
                          {"why", w.why},
                          {"command", write_command(plan, w)},
                          {"undo", undo_command(plan, w)}});
    }
    nlohmann::json j;
    j["root"] = plan.root;
    j["iface"] = plan.iface;
    j["irq_cpus"] = format_cpu_list(plan.irq_cpus);
    j["worker_cpus"] = format_cpu_list(plan.worker_cpus);
    j["rps"] = rps_mode_name(plan.rps);
    j["rfs_entries"] = plan.rfs_entries ? nlohmann::json(*plan.rfs_entries) : nlohmann::json(nullptr);
    j["irqbalance_pids"] = plan.irqbalance_pids;
    j["first"] =
        plan.irqbalance_pids.empty() ? nlohmann::json::array() : nlohmann::json::array({"systemctl stop irqbalance"});
    j["writes"] = writes;
    j["serve_command"] = plan.serve_command;
    j["undo_last"] =
        plan.irqbalance_pids.empty() ? nlohmann::json::array() : nlohmann::json::array({"systemctl start irqbalance"});
    j["notes"] = plan.notes;
    return j;
}

} // namespace rpslab::tune
