// Test support: bytes placed to end exactly at a PROT_NONE page, so that reading even one
// byte past the input faults at once instead of reading stale memory (STYLE.md "Tests").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>

namespace rpslab::test {

class guarded_buffer {
public:
    // Room for `capacity` bytes before the guard page.
    explicit guarded_buffer(std::size_t capacity) {
        const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        _usable = (capacity + page - 1) / page * page;
        if (_usable == 0) {
            _usable = page;
        }
        _mapped = _usable + page;
        void* base = ::mmap(nullptr, _mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED || ::mprotect(static_cast<char*>(base) + _usable, page, PROT_NONE) != 0) {
            std::abort();
        }
        _base = static_cast<char*>(base);
    }
    ~guarded_buffer() { ::munmap(_base, _mapped); }
    guarded_buffer(const guarded_buffer&) = delete;
    guarded_buffer& operator=(const guarded_buffer&) = delete;

    // Copies `bytes` so that their last byte sits right before the guard page. The span
    // stays valid until the next place() or the buffer's end.
    std::span<char> place(std::string_view bytes) {
        if (bytes.size() > _usable) {
            std::abort();
        }
        char* start = _base + (_usable - bytes.size());
        if (!bytes.empty()) {
            std::memcpy(start, bytes.data(), bytes.size());
        }
        return {start, bytes.size()};
    }

private:
    char* _base = nullptr;
    std::size_t _usable = 0;
    std::size_t _mapped = 0;
};

// True when `view` lies inside `within` (an empty view at either end counts as inside).
inline bool inside(std::string_view view, std::span<const char> within) {
    if (view.empty() && view.data() == nullptr) {
        return true;
    }
    const auto begin = reinterpret_cast<std::uintptr_t>(within.data());
    const auto at = reinterpret_cast<std::uintptr_t>(view.data());
    return at >= begin && at + view.size() <= begin + within.size();
}

} // namespace rpslab::test
