#include "tune/ethtool_channels.h"

#include <cerrno>
#include <cstring>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rpslab::tune {

namespace {

std::string failed(const char* call) {
    return std::string(call) + ": " + std::strerror(errno);
}

} // namespace

channels_result read_channels(const std::string& iface) {
    if (iface.size() >= IFNAMSIZ) {
        return {std::nullopt, "interface name too long for the ethtool ioctl"};
    }
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return {std::nullopt, failed("socket")};
    }
    ethtool_channels ch{};
    ch.cmd = ETHTOOL_GCHANNELS;
    ifreq req{};
    std::memcpy(req.ifr_name, iface.c_str(), iface.size());
    req.ifr_data = reinterpret_cast<char*>(&ch);
    channels_result result;
    if (::ioctl(fd, SIOCETHTOOL, &req) == 0) {
        result.counts =
            channel_counts{ch.max_rx, ch.max_tx, ch.max_combined, ch.rx_count, ch.tx_count, ch.combined_count};
    } else {
        result.error = failed("ioctl ETHTOOL_GCHANNELS");
    }
    ::close(fd);
    return result;
}

} // namespace rpslab::tune
