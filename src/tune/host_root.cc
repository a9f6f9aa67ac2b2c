#include "tune/host_root.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace rpslab::tune {

namespace {

// Closes the descriptor it holds.
class fd_guard {
public:
    explicit fd_guard(int fd) : _fd(fd) {}
    ~fd_guard() {
        if (_fd >= 0) {
            ::close(_fd);
        }
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const { return _fd; }
    int release() { return std::exchange(_fd, -1); }

private:
    int _fd;
};

int system_open(const std::string& path, int flags) {
    return ::open(path.c_str(), flags | O_CLOEXEC);
}

// Reads to EOF; returns 0 or errno.
int read_all(int fd, std::string& out) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            return 0;
        } else if (errno != EINTR) {
            return errno;
        }
    }
}

std::string errno_reason(int error) {
    switch (error) {
    case ENOENT:
    case ENOTDIR:
        return "missing";
    case EACCES:
    case EPERM:
        return "permission denied";
    case EISDIR:
        return "a directory where a file was expected";
    default:
        return std::strerror(error);
    }
}

} // namespace

std::string read_failure::reason() const {
    if (error == 0) {
        return detail;
    }
    return detail.empty() ? errno_reason(error) : errno_reason(error) + " (" + detail + ")";
}

host_root::host_root(std::string root, open_fn open) : _root(std::move(root)), _open(std::move(open)) {
    while (_root.size() > 1 && _root.back() == '/') {
        _root.pop_back();
    }
    if (_root.empty()) {
        _root = "/";
    }
    if (!_open) {
        _open = system_open;
    }
}

std::string join_root(std::string_view root, std::string_view rel) {
    return (root == "/" ? std::string("/") : std::string(root) + "/") + std::string(rel);
}

std::string host_root::path(std::string_view rel) const {
    return join_root(_root, rel);
}

std::optional<std::string> host_root::read(std::string_view rel) {
    return read_file(rel, on_missing::remember);
}

std::optional<std::string> host_root::read_if_present(std::string_view rel) {
    return read_file(rel, on_missing::ignore);
}

std::optional<std::vector<std::string>> host_root::list(std::string_view rel) {
    return list_dir(rel, on_missing::remember);
}

std::optional<std::vector<std::string>> host_root::list_if_present(std::string_view rel) {
    return list_dir(rel, on_missing::ignore);
}

host_root::attempt host_root::try_read(std::string_view rel) {
    fd_guard fd(_open(path(rel), O_RDONLY));
    if (fd.get() < 0) {
        return {std::nullopt, errno};
    }
    std::string text;
    if (int err = read_all(fd.get(), text); err != 0) {
        return {std::nullopt, err};
    }
    return {std::move(text), 0};
}

std::optional<std::string> host_root::read_file(std::string_view rel, on_missing missing) {
    attempt a = try_read(rel);
    if (!a.text) {
        remember(path(rel), a.error, missing);
    }
    return std::move(a.text);
}

std::optional<std::vector<std::string>> host_root::list_dir(std::string_view rel, on_missing missing) {
    const std::string full = path(rel);
    fd_guard fd(_open(full, O_RDONLY | O_DIRECTORY));
    DIR* dir = fd.get() < 0 ? nullptr : ::fdopendir(fd.get());
    if (dir == nullptr) {
        remember(full, errno, missing);
        return std::nullopt;
    }
    fd.release(); // the DIR owns it now
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(dir)) {
        std::string_view name = entry->d_name;
        if (name != "." && name != "..") {
            names.emplace_back(name);
        }
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

int host_root::write(std::string_view rel, std::string_view bytes) {
    fd_guard fd(_open(path(rel), O_WRONLY | O_TRUNC));
    if (fd.get() < 0) {
        return errno;
    }
    ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0) {
        return errno;
    }
    return static_cast<std::size_t>(n) == bytes.size() ? 0 : EIO;
}

void host_root::remember_unparseable(std::string_view rel, std::string why) {
    remember(read_failure{path(rel), 0, std::move(why)});
}

void host_root::remember(const std::string& full, int error, on_missing missing) {
    if (missing == on_missing::ignore && (error == ENOENT || error == ENOTDIR)) {
        return;
    }
    remember(read_failure{full, error, {}});
}

void host_root::remember(read_failure failure) {
    auto same = [&](const read_failure& f) {
        return f.path == failure.path;
    };
    if (std::none_of(_failures.begin(), _failures.end(), same)) {
        _failures.push_back(std::move(failure));
    }
}

} // namespace rpslab::tune
