// A NIC's channel counts from the live kernel (the ETHTOOL_GCHANNELS ioctl, what
// `ethtool -l` prints). Only meaningful on the real root: a fake tree has no kernel behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rpslab::tune {

struct channel_counts {
    std::uint32_t max_rx = 0, max_tx = 0, max_combined = 0;
    std::uint32_t rx = 0, tx = 0, combined = 0;
};

struct channels_result {
    std::optional<channel_counts> counts;
    std::string error; // why there are no counts, e.g. "ioctl ETHTOOL_GCHANNELS: Operation not supported"
};

// Asks the kernel; never throws.
channels_result read_channels(const std::string& iface);

} // namespace rpslab::tune
