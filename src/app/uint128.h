// The 128-bit unsigned integer the generators and /compute use for exact products.
#pragma once

namespace rpslab::app {

// A GNU extension in both g++ and clang; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 uint128;

} // namespace rpslab::app
