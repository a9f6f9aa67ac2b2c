#include "core/error.h"

#include <cstring>

namespace rpslab::core {

sys_error::sys_error(const std::string& what, int err) : std::runtime_error(what), _errno(err) {}

void throw_errno(const std::string& call) {
    int err = errno;
    std::string what = call;
    what.append(": ").append(std::strerror(err));
    throw sys_error(what, err);
}

} // namespace rpslab::core
