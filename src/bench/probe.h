// One blocking HTTP/1.1 GET on a fresh connection, for the runner's checks before it
// measures: is the port free, does the server answer, does it send the dump's bytes.
// Not for load: `rpslab load` does that.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rpslab::bench {

struct probe_response {
    int status = 0;
    std::string head; // status line and fields, as received
    std::string body; // de-chunked when chunked
};

// Throws std::runtime_error naming what failed (connect, timeout, a malformed response).
probe_response http_get(std::uint16_t port, const std::string& path, const std::vector<std::string>& headers,
                        int timeout_ms);

// True when something accepts connections on 127.0.0.1:port.
bool port_answers(std::uint16_t port);

// A port the kernel had free a moment ago, on 127.0.0.1.
std::uint16_t free_port();

} // namespace rpslab::bench
