// What `tune apply` saves before it writes, so `tune revert` can restore the host byte for
// byte: every file's original bytes and what was written, plus the directories apply made
// for the state file (revert removes them, leaving no trace).
#pragma once

#include "tune/plan.h"

#include <optional>
#include <string>
#include <vector>

namespace rpslab::tune {

struct saved_write {
    std::string rel; // relative to the root
    value_kind kind = value_kind::words;
    std::string original; // the bytes read just before the write
    std::string written;  // the bytes written
};

struct saved_state {
    std::string root;
    std::string iface;
    std::vector<std::string> created_dirs; // absolute, outermost first
    std::vector<saved_write> writes;       // in the order they were made
};

// ROOT/var/lib/rpslab/tune-saved.json: under the root, so a fake root carries its own.
std::string default_state_path(const std::string& root);

// Creates the missing parent directories of `path` (remembered in state.created_dirs) and
// writes the state there atomically (a temporary file, then rename). Throws
// std::runtime_error naming the path.
void store_state(const std::string& path, saved_state& state);

// nullopt when there is no file at `path`; throws std::runtime_error when it cannot be read
// or parsed.
std::optional<saved_state> load_state(const std::string& path);

// Removes the state file and then the directories store_state created, innermost first,
// each only if empty. Returns what could not be removed, for the report.
std::vector<std::string> remove_state(const std::string& path, const saved_state& state);

} // namespace rpslab::tune
