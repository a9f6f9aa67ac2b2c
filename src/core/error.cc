#include "core/error.h"

#include <cstring>

namespace rpslab::core {

sys_error::sys_error(const std::string& what, int err) : std::runtime_error(what), _errno(err) {}

void throw_errno(const std::string& call) {
    int err = errno;
    throw sys_error(call + ": " + std::strerror(err), err);
}

} // namespace rpslab::core
