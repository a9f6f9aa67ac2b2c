#include "app/pool_dump.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unistd.h>

namespace rpslab::app {
namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path, int error) {
    throw std::runtime_error(std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

// Writes `bytes` as the whole content of `path`, through plain syscalls so that a
// failure reports the errno of the call that failed.
void write_file(const std::filesystem::path& path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail("open", path, errno);
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            fail("write", path, error);
        }
        done += static_cast<std::size_t>(n);
    }
    // close() is where NFS and full disks report deferred write errors.
    if (::close(fd) != 0) {
        fail("close", path, errno);
    }
}

void make_directories(const std::filesystem::path& path) {
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error) {
        fail("mkdir", path, error.value());
    }
}

} // namespace

void dump_pool(const std::filesystem::path& dir, const product_pool& pool, const orders_table& orders) {
    make_directories(dir / "read");
    write_file(dir / "simple.json", simple_body);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const std::string name = std::to_string(i) + ".json";
        write_file(dir / "read" / name, pool.json(i));
        write_file(dir / "read" / (name + ".gz"), pool.json_gz(i));
    }
    write_file(dir / "list.json", pool.list_json());
    write_file(dir / "list.json.gz", pool.list_json_gz());
    write_file(dir / "orders.csv", orders.csv());
    std::array<char, orders_table::max_compute_bytes> compute_body;
    const std::size_t length = orders.compute(orders.size(), compute_body);
    write_file(dir / "compute.json", std::string_view(compute_body.data(), length));
}

} // namespace rpslab::app
