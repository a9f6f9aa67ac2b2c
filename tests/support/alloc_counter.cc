// Counts every operator new (see alloc_counter.h), and prints the count as
// "rpslab-allocs: N" on stderr at each SIGUSR1, so a test can prove that serving requests
// after warm-up allocates nothing.
#include "support/alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>
#include <signal.h>
#include <unistd.h>

namespace {

std::atomic<unsigned long long> allocations{0};

void* counted(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}

void* counted_aligned(std::size_t n, std::align_val_t al) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    std::size_t a = static_cast<std::size_t>(al);
    if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) {
        return p;
    }
    throw std::bad_alloc();
}

// Async-signal-safe: formats by hand and writes once.
void on_usr1(int) {
    char buf[64] = "rpslab-allocs: ";
    char digits[24];
    int nd = 0;
    unsigned long long v = allocations.load(std::memory_order_relaxed);
    do {
        digits[nd++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    int len = 15;
    while (nd > 0) {
        buf[len++] = digits[--nd];
    }
    buf[len++] = '\n';
    [[maybe_unused]] auto n = ::write(2, buf, static_cast<std::size_t>(len));
}

struct install_handler {
    install_handler() {
        struct sigaction sa = {};
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, nullptr);
    }
} installed;

} // namespace

std::uint64_t rpslab::test::allocation_count() {
    return allocations.load(std::memory_order_relaxed);
}

void* operator new(std::size_t n) {
    return counted(n);
}
void* operator new[](std::size_t n) {
    return counted(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t n, std::align_val_t al) {
    return counted_aligned(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al) {
    return counted_aligned(n, al);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
