// Reading a root: every failure names its path and the true reason. Tests run as root, so
// "permission denied" is injected through the open(2) seam instead of file modes.
#include "tune/host_root.h"
#include "unit/tune/fake_host.h"

#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>

namespace rpslab::tune {
namespace {

// open(2), except that `denied` gets EACCES, as an unprivileged reader would.
open_fn deny(std::string denied) {
    return [denied](const std::string& path, int flags) {
        if (path == denied) {
            errno = EACCES;
            return -1;
        }
        return ::open(path.c_str(), flags | O_CLOEXEC);
    };
}

TEST(tune_host_root, reads_relative_to_the_root) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_EQ(root.read("sys/devices/system/cpu/online"), "0-7\n");
    EXPECT_EQ(root.path("proc/interrupts"), host.root() + "/proc/interrupts");
    EXPECT_TRUE(root.failures().empty());
    EXPECT_FALSE(root.is_system());
    EXPECT_TRUE(host_root("/").is_system());
    EXPECT_EQ(host_root("/").path("proc/stat"), "/proc/stat");
    EXPECT_EQ(host_root(host.root() + "/").path("x"), host.root() + "/x") << "a trailing slash is the same root";
}

TEST(tune_host_root, a_missing_file_is_reported_as_missing) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_FALSE(root.read("proc/nope"));
    ASSERT_EQ(root.failures().size(), 1u);
    EXPECT_EQ(root.failures()[0].path, host.root() + "/proc/nope");
    EXPECT_EQ(root.failures()[0].reason(), "missing");
}

TEST(tune_host_root, an_optional_file_that_is_missing_is_not_a_failure) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_FALSE(root.read_if_present("proc/nope"));
    EXPECT_FALSE(root.list_if_present("sys/nope"));
    EXPECT_TRUE(root.failures().empty());
}

TEST(tune_host_root, permission_denied_is_reported_even_for_optional_files) {
    test::fake_host host({});
    const std::string denied = host.root() + "/proc/sys/net/core/somaxconn";
    host_root root(host.root(), deny(denied));
    EXPECT_FALSE(root.read_if_present("proc/sys/net/core/somaxconn"));
    ASSERT_EQ(root.failures().size(), 1u);
    EXPECT_EQ(root.failures()[0].path, denied);
    EXPECT_EQ(root.failures()[0].reason(), "permission denied");
}

TEST(tune_host_root, a_directory_where_a_file_is_expected) {
    test::fake_host host({});
    host.remove("proc/sys/net/core/somaxconn");
    host.write("proc/sys/net/core/somaxconn/oops", "x");
    host_root root(host.root());
    EXPECT_FALSE(root.read("proc/sys/net/core/somaxconn"));
    ASSERT_EQ(root.failures().size(), 1u);
    EXPECT_EQ(root.failures()[0].reason(), "a directory where a file was expected");
}

TEST(tune_host_root, a_file_where_a_directory_is_expected_is_missing) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_FALSE(root.list("proc/interrupts/x"));
    ASSERT_EQ(root.failures().size(), 1u);
    EXPECT_EQ(root.failures()[0].reason(), "missing");
}

TEST(tune_host_root, each_path_is_reported_once) {
    test::fake_host host({});
    host_root root(host.root());
    root.read("proc/nope");
    root.read("proc/nope");
    EXPECT_EQ(root.failures().size(), 1u);
}

TEST(tune_host_root, lists_sorted_and_denied_listing_is_reported) {
    test::fake_host host({});
    EXPECT_EQ(host_root(host.root()).list("sys/class/net"), (std::vector<std::string>{"eth0", "lo"}));
    host_root root(host.root(), deny(host.root() + "/proc"));
    EXPECT_FALSE(root.list("proc"));
    ASSERT_EQ(root.failures().size(), 1u);
    EXPECT_EQ(root.failures()[0].reason(), "permission denied");
}

TEST(tune_host_root, write_replaces_an_existing_file_and_never_creates_one) {
    test::fake_host host({});
    host_root root(host.root());
    EXPECT_EQ(root.write("proc/sys/net/core/somaxconn", "65535\n"), 0);
    EXPECT_EQ(host.read("proc/sys/net/core/somaxconn"), "65535\n");
    EXPECT_EQ(root.write("proc/sys/net/core/not_a_knob", "1\n"), ENOENT);
    EXPECT_FALSE(host.exists("proc/sys/net/core/not_a_knob"));
}

} // namespace
} // namespace rpslab::tune
