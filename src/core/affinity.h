// Pinning the calling thread (or process) to one CPU.
#pragma once

namespace rpslab::core {

// Pins the calling thread to `cpu`; returns 0 or an errno value (the caller decides
// whether running unpinned is acceptable).
int pin_current_thread(int cpu);

} // namespace rpslab::core
