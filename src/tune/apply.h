// `tune apply` and `tune revert`: carrying out a plan's writes under a root, all or nothing,
// and restoring the saved bytes afterwards. On the live root both need euid 0; on a fake
// root they run as anyone who may write there.
#pragma once

#include "tune/host_root.h"
#include "tune/plan.h"

#include <string>
#include <vector>

namespace rpslab::tune {

struct apply_report {
    std::string state_path;  // empty when there was nothing to write
    std::size_t written = 0; // every one verified by reading it back
};

// Refuses (std::invalid_argument) without privileges on the live root, while irqbalance
// runs, or when a saved state from an earlier apply is still there (applying again would
// save tuned values as the originals). Then saves the current bytes of every file the plan
// writes, writes each, and reads each back. If a write fails or reads back otherwise, every
// file already written is restored, the state is removed, and std::runtime_error says which.
apply_report apply_plan(host_root& root, const tuning_plan& plan, const std::string& state_path);

struct revert_report {
    std::size_t restored = 0;
    std::vector<std::string> changed_since; // files something else rewrote after apply
    std::vector<std::string> failures;      // files that could not be restored; the state is kept
    std::vector<std::string> left_behind;   // the state file or directories that could not be removed
};

// Restores every saved file (last written first) and verifies it: byte for byte, or as the
// same value where the kernel renders it its own way. Removes the state when all succeeded.
// Throws std::invalid_argument when there is no saved state at `state_path`, or it was saved
// for another root.
revert_report revert_saved(host_root& root, const std::string& state_path);

} // namespace rpslab::tune
