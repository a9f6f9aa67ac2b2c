// The host's sysfs and procfs files, read and written relative to a root directory, so that
// every inspection runs unchanged on the live kernel (root `/`) and on a fake tree a test
// builds. Every failed read is remembered with its path and reason, for the report.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

// A file or directory that could not be read, and why.
struct read_failure {
    std::string path;   // as on this host, root included
    int error = 0;      // the errno of the failed open(2) or read(2); 0 when the bytes were not understood
    std::string detail; // why the bytes were not understood (error == 0)

    // "missing", "permission denied", "a directory where a file was expected" or strerror, with
    // the detail in parentheses when there is one; only the detail when error is 0.
    std::string reason() const;
};

// The one syscall seam: open(2). Tests inject EACCES through it, because a test process
// running as root is never refused by file permissions.
using open_fn = std::function<int(const std::string& path, int flags)>;

// `rel` below `root` ("/" or a directory without a trailing slash), as shown to the user.
std::string join_root(std::string_view root, std::string_view rel);

// Not thread-safe: one inspection at a time.
class host_root {
public:
    // `root` is a directory ("/" for the live kernel); `open` defaults to ::open.
    explicit host_root(std::string root, open_fn open = {});

    const std::string& root() const { return _root; }
    // True for "/": the live kernel, where ioctls and privileges apply.
    bool is_system() const { return _root == "/"; }
    // `rel` (e.g. "proc/interrupts") as a path on this host.
    std::string path(std::string_view rel) const;

    // The file's bytes, or nullopt with the failure remembered.
    std::optional<std::string> read(std::string_view rel);
    // As read(), for optional features: a missing file is expected and not remembered.
    std::optional<std::string> read_if_present(std::string_view rel);
    // As read(), remembering nothing: the caller reports failures its own way (errno in error).
    struct attempt {
        std::optional<std::string> text;
        int error = 0;
    };
    attempt try_read(std::string_view rel);
    // The directory's entries (without . and ..), sorted; nullopt with the failure remembered.
    std::optional<std::vector<std::string>> list(std::string_view rel);
    std::optional<std::vector<std::string>> list_if_present(std::string_view rel);

    // Replaces an existing file's contents in one write(2), as the kernel wants a sysfs
    // value; never creates a file. Returns 0 or the errno.
    int write(std::string_view rel, std::string_view bytes);

    // Remembers a file that was read but whose contents make no sense (`why` says how).
    void remember_unparseable(std::string_view rel, std::string why);
    // Remembers a failure found another way (once per path).
    void remember(read_failure failure);

    // Every failed read so far, one per path, in the order they happened.
    const std::vector<read_failure>& failures() const { return _failures; }

private:
    enum class on_missing { remember, ignore };
    std::optional<std::string> read_file(std::string_view rel, on_missing missing);
    std::optional<std::vector<std::string>> list_dir(std::string_view rel, on_missing missing);
    void remember(const std::string& full, int error, on_missing missing);

    std::string _root;
    open_fn _open;
    std::vector<read_failure> _failures;
};

} // namespace rpslab::tune
