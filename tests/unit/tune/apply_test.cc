// `tune apply` writes exactly the plan's files and verifies them; `tune revert` puts back
// every byte, so plan -> apply -> revert leaves a host as it found it.
#include "tune/apply.h"
#include "tune/saved_state.h"
#include "unit/tune/fake_host.h"

#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <set>
#include <stdexcept>

namespace rpslab::tune {
namespace {

tuning_plan plan_for(host_root& root, const plan_options& options = {}) {
    return make_plan(inspect_host(root, ""), options);
}

// The paths that are new or hold other bytes in `after`.
std::set<std::string> changed_paths(const std::map<std::string, std::string>& before,
                                    const std::map<std::string, std::string>& after) {
    std::set<std::string> changed;
    for (const auto& [rel, bytes] : after) {
        auto it = before.find(rel);
        if (it == before.end() || it->second != bytes) {
            changed.insert(rel);
        }
    }
    return changed;
}

TEST(tune_apply, plan_apply_revert_leaves_the_tree_byte_identical) {
    test::fake_host host({.cpus = 128, .threads_per_core = 2, .queues = 16});
    const std::string before = host.tree();
    host_root root(host.root());
    tuning_plan plan = plan_for(root, {.rps = rps_mode::workers, .rfs_flows = 65536});
    ASSERT_GT(plan.writes.size(), 40u);
    const std::string state = default_state_path(host.root());
    apply_report applied = apply_plan(root, plan, state);
    EXPECT_EQ(applied.written, plan.writes.size());
    EXPECT_EQ(host.read("sys/class/net/eth0/queues/rx-7/rps_cpus"), "ffffffff,ffffff00,ffffffff,ffffff00\n");
    EXPECT_EQ(host.read("sys/class/net/eth0/queues/rx-7/rps_flow_cnt"), "4096\n");
    EXPECT_EQ(host.read("proc/irq/107/smp_affinity_list"), "7\n");
    EXPECT_NE(host.tree(), before);

    host_root again(host.root());
    revert_report reverted = revert_saved(again, state);
    EXPECT_EQ(reverted.restored, plan.writes.size());
    EXPECT_TRUE(reverted.failures.empty());
    EXPECT_TRUE(reverted.changed_since.empty());
    EXPECT_TRUE(reverted.left_behind.empty());
    EXPECT_EQ(host.tree(), before) << "every byte back, and no state file or directory left";
}

TEST(tune_apply, writes_exactly_the_files_of_the_plan_and_the_state) {
    test::fake_host host({.cpus = 8, .queues = 2});
    const auto before = host.contents();
    host_root root(host.root());
    tuning_plan plan = plan_for(root);
    apply_plan(root, plan, default_state_path(host.root()));
    std::set<std::string> expected{"var", "var/lib", "var/lib/rpslab", "var/lib/rpslab/tune-saved.json"};
    for (const planned_write& w : plan.writes) {
        expected.insert(w.rel);
        EXPECT_EQ(host.read(w.rel), w.value + "\n") << w.rel;
    }
    EXPECT_EQ(changed_paths(before, host.contents()), expected);
}

TEST(tune_apply, the_state_file_holds_the_original_bytes) {
    test::fake_host host({.cpus = 8, .queues = 1});
    host_root root(host.root());
    const std::string path = host.root() + "/elsewhere.json";
    apply_plan(root, plan_for(root), path);
    auto state = load_state(path);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->root, host.root());
    EXPECT_TRUE(state->created_dirs.empty());
    bool found = false;
    for (const saved_write& w : state->writes) {
        if (w.rel == "proc/sys/net/ipv4/ip_local_port_range") {
            found = true;
            EXPECT_EQ(w.original, "32768\t60999\n");
            EXPECT_EQ(w.written, "1024 65535\n");
        }
    }
    EXPECT_TRUE(found);
}

TEST(tune_apply, refuses_while_irqbalance_runs_and_writes_nothing) {
    test::fake_host host({.irqbalance = true});
    const std::string before = host.tree();
    host_root root(host.root());
    EXPECT_THROW(apply_plan(root, plan_for(root), default_state_path(host.root())), std::invalid_argument);
    EXPECT_EQ(host.tree(), before);
}

TEST(tune_apply, refuses_to_apply_twice_without_revert) {
    test::fake_host host({});
    host_root root(host.root());
    const std::string state = default_state_path(host.root());
    apply_plan(root, plan_for(root), state);
    const std::string tuned = host.tree();
    host_root again(host.root());
    try {
        apply_plan(again, plan_for(again, {.rps = rps_mode::all}), state);
        ADD_FAILURE() << "applied twice";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("run rpslab tune revert first"), std::string::npos) << e.what();
    }
    EXPECT_EQ(host.tree(), tuned);
}

TEST(tune_apply, a_failed_write_restores_what_was_written_and_leaves_no_state) {
    test::fake_host host({.cpus = 8, .queues = 4});
    const std::string before = host.tree();
    // The kernel refuses some IRQs' affinity (managed IRQs answer EIO): the third IRQ here.
    const std::string refused = host.root() + "/proc/irq/102/smp_affinity_list";
    open_fn open = [refused](const std::string& path, int flags) {
        if (path == refused && (flags & O_WRONLY) != 0) {
            errno = EIO;
            return -1;
        }
        return ::open(path.c_str(), flags | O_CLOEXEC);
    };
    host_root root(host.root(), open);
    tuning_plan plan = plan_for(root);
    try {
        apply_plan(root, plan, default_state_path(host.root()));
        ADD_FAILURE() << "the refused write went unnoticed";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("writing " + refused + " failed: Input/output error"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("files already written were restored"), std::string::npos) << e.what();
    }
    EXPECT_EQ(host.tree(), before);
}

TEST(tune_apply, a_value_that_does_not_read_back_is_rolled_back) {
    test::fake_host host({.cpus = 8, .queues = 1});
    const std::string before = host.tree();
    // A file that swallows writes, as a kernel knob that ignores a value would.
    const std::string sink = host.root() + "/proc/sys/net/core/somaxconn";
    open_fn open = [sink](const std::string& path, int flags) {
        return ::open((path == sink && (flags & O_WRONLY) != 0) ? "/dev/null" : path.c_str(), flags | O_CLOEXEC);
    };
    host_root root(host.root(), open);
    EXPECT_THROW(apply_plan(root, plan_for(root), default_state_path(host.root())), std::runtime_error);
    EXPECT_EQ(host.tree(), before);
}

TEST(tune_apply, a_host_already_tuned_needs_no_writes) {
    test::fake_host host({.cpus = 8, .queues = 1});
    host_root root(host.root());
    const std::string state = default_state_path(host.root());
    apply_plan(root, plan_for(root), state);
    host_root tuned(host.root());
    tuning_plan again = plan_for(tuned);
    EXPECT_TRUE(again.writes.empty());
    revert_saved(tuned, state);
    EXPECT_EQ(apply_plan(tuned, again, state).written, 0u);
    EXPECT_FALSE(host.exists("var")) << "no state is saved for an empty plan";
}

TEST(tune_revert, without_a_saved_state_there_is_nothing_to_revert) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_THROW(revert_saved(root, default_state_path(host.root())), std::invalid_argument);
}

TEST(tune_revert, reports_files_changed_since_apply_and_restores_them_anyway) {
    test::fake_host host({.cpus = 8, .queues = 1});
    const std::string before = host.tree();
    host_root root(host.root());
    const std::string state = default_state_path(host.root());
    apply_plan(root, plan_for(root), state);
    host.write("proc/irq/100/smp_affinity_list", "5\n"); // irqbalance came back
    revert_report r = revert_saved(root, state);
    EXPECT_EQ(r.changed_since, std::vector<std::string>{host.root() + "/proc/irq/100/smp_affinity_list"});
    EXPECT_EQ(host.tree(), before);
}

TEST(tune_revert, a_damaged_state_is_refused_by_name_and_nothing_is_written) {
    test::fake_host host({});
    const std::string before = host.tree();
    host.write("var/lib/rpslab/tune-saved.json", "{\"rpslab_tune_state\": 1, \"root\": ");
    host_root root(host.root());
    try {
        revert_saved(root, default_state_path(host.root()));
        ADD_FAILURE() << "a truncated state was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(default_state_path(host.root()) + " is damaged"), std::string::npos)
            << e.what();
    }
    host.remove("var");
    EXPECT_EQ(host.tree(), before);
}

TEST(tune_revert, a_state_saved_for_another_root_is_refused) {
    test::fake_host a({}), b({});
    host_root root_a(a.root()), root_b(b.root());
    const std::string state = a.root() + "/state.json";
    apply_plan(root_a, plan_for(root_a), state);
    EXPECT_THROW(revert_saved(root_b, state), std::invalid_argument);
}

} // namespace
} // namespace rpslab::tune
