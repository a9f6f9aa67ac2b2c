#include "core/affinity.h"

#include <pthread.h>
#include <sched.h>

namespace rpslab::core {

int pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

} // namespace rpslab::core
