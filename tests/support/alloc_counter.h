// Counting every global operator new, for tests that prove a path allocates nothing.
// Linked into rpslab_alloc_count (which also prints the count on SIGUSR1, for the
// integration test) and into unit_app; nothing else in those binaries may replace new.
#pragma once

#include <cstdint>

namespace rpslab::test {

// Calls of the global operator new so far, from every thread.
std::uint64_t allocation_count();

} // namespace rpslab::test
