// A move-only owner of one file descriptor: closed exactly once, when its owner dies.
#pragma once

#include <unistd.h>
#include <utility>

namespace rpslab::core {

class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : _fd(fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    unique_fd(unique_fd&& other) noexcept : _fd(std::exchange(other._fd, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset(std::exchange(other._fd, -1));
        }
        return *this;
    }
    ~unique_fd() { reset(); }

    int get() const { return _fd; }
    explicit operator bool() const { return _fd >= 0; }

    // Gives up ownership without closing.
    int release() { return std::exchange(_fd, -1); }

    void reset(int fd = -1) {
        if (_fd >= 0) {
            ::close(_fd);
        }
        _fd = fd;
    }

private:
    int _fd = -1;
};

} // namespace rpslab::core
