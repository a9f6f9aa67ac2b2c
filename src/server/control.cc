#include "server/control.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace rpslab::server {

std::pair<core::unique_fd, core::unique_fd> make_control_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
        core::throw_errno("socketpair");
    }
    return {core::unique_fd(sv[0]), core::unique_fd(sv[1])};
}

bool send_control(int fd, const control_message& msg, int pass_fd) {
    iovec iov{const_cast<control_message*>(&msg), sizeof msg};
    msghdr hdr{};
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
    if (pass_fd >= 0) {
        hdr.msg_control = space;
        hdr.msg_controllen = sizeof space;
        cmsghdr* c = CMSG_FIRSTHDR(&hdr);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    ssize_t n;
    do {
        n = ::sendmsg(fd, &hdr, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof msg);
}

int receive_control(int fd, control_message& msg, core::unique_fd& passed) {
    iovec iov{&msg, sizeof msg};
    msghdr hdr{};
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int))] = {};
    hdr.msg_control = space;
    hdr.msg_controllen = sizeof space;
    ssize_t n;
    do {
        n = ::recvmsg(fd, &hdr, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return n == 0 ? 0 : -1;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&hdr); c != nullptr; c = CMSG_NXTHDR(&hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int received = -1;
            std::memcpy(&received, CMSG_DATA(c), sizeof(int));
            passed.reset(received);
        }
    }
    if (n != static_cast<ssize_t>(sizeof msg)) {
        errno = EPROTO;
        return -1;
    }
    return 1;
}

} // namespace rpslab::server
