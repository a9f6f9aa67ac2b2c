#include "server/profilers.h"

#include "core/error.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <gperftools/profiler.h>
#include <unistd.h>

#ifdef RPSLAB_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

namespace rpslab::server {

namespace {

// Runs in the SIGPROF handler: gettid is a plain syscall, async-signal-safe.
int only_this_thread(void* tid) {
    return static_cast<pid_t>(reinterpret_cast<std::intptr_t>(tid)) == ::gettid();
}

std::string proc_path(int fd) {
    return "/proc/self/fd/" + std::to_string(fd);
}

} // namespace

bool start_cpu_profile(int file, pid_t only_tid, std::string& error) {
    ProfilerState state{};
    ProfilerGetCurrentState(&state);
    if (state.enabled) {
        error = "the CPU profiler is already running in this process";
        return false;
    }
    ProfilerOptions options{};
    if (only_tid != 0) {
        options.filter_in_thread = only_this_thread;
        options.filter_in_thread_arg = reinterpret_cast<void*>(static_cast<std::intptr_t>(only_tid));
    }
    if (ProfilerStartWithOptions(proc_path(file).c_str(), &options) == 0) {
        error = "ProfilerStart failed (cannot open the profile file?)";
        return false;
    }
    return true;
}

void stop_cpu_profile() {
    ProfilerStop();
}

bool heap_sample_available() {
#ifdef RPSLAB_TCMALLOC
    return true;
#else
    return false;
#endif
}

bool heap_sample(std::string& out, std::string& error) {
#ifdef RPSLAB_TCMALLOC
    const char* rate = std::getenv("TCMALLOC_SAMPLE_PARAMETER");
    if (rate == nullptr || std::atol(rate) <= 0) {
        error = "tcmalloc samples no allocations: start the server with TCMALLOC_SAMPLE_PARAMETER=524288 "
                "(bytes between samples) in its environment";
        return false;
    }
    out.clear();
    MallocExtension::instance()->GetHeapSample(&out);
    return true;
#else
    out.clear();
    error = "this build does not link tcmalloc: configure with -DRPSLAB_TCMALLOC=ON for heap samples";
    return false;
#endif
}

core::unique_fd make_private_file() {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/rpslab-profile.XXXXXX";
    core::unique_fd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) {
        core::throw_errno("mkostemp " + pattern);
    }
    ::unlink(pattern.c_str()); // open descriptors keep it; nobody else can reach it
    return fd;
}

bool read_private_file(int fd, std::string& out) {
    out.clear();
    char buf[64 * 1024];
    for (off_t at = 0;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return false;
        }
        if (n == 0) {
            return true;
        }
        out.append(buf, static_cast<std::size_t>(n));
        at += n;
    }
}

} // namespace rpslab::server
