// Errors from failed syscalls, reported with the call's name and errno (STYLE.md "Errors").
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace rpslab::core {

// Thrown by start-up and configuration code only; the request path returns values.
class sys_error : public std::runtime_error {
public:
    sys_error(const std::string& what, int err);
    int code() const { return _errno; }

private:
    int _errno;
};

// Throws sys_error("<call>: <strerror(errno)>") for the current errno.
[[noreturn]] void throw_errno(const std::string& call);

} // namespace rpslab::core
