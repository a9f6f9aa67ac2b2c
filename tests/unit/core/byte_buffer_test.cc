#include "core/byte_buffer.h"
#include "core/intrusive_list.h"
#include "core/output_queue.h"

#include <gtest/gtest.h>
#include <string>

using rpslab::core::byte_buffer;
using rpslab::core::intrusive_list;
using rpslab::core::list_hook;
using rpslab::core::output_queue;

namespace {

void put(byte_buffer& b, std::string_view s) {
    b.ensure_tail_room(s.size());
    std::memcpy(b.tail(), s.data(), s.size());
    b.commit(s.size());
}

std::string str(const byte_buffer& b) {
    return {b.data(), b.size()};
}

std::string drain(output_queue& q) {
    iovec iov[8];
    std::string out;
    int n = q.gather(iov, 8);
    for (int i = 0; i < n; ++i) {
        out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    }
    return out;
}

} // namespace

TEST(byte_buffer, consume_rewinds_when_empty) {
    byte_buffer b(16);
    put(b, "hello");
    b.consume(5);
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.tail_room(), 16u);
}

TEST(byte_buffer, compacts_before_growing) {
    byte_buffer b(16);
    put(b, "0123456789abcdef");
    b.consume(10);
    b.ensure_tail_room(8);
    EXPECT_EQ(b.capacity(), 16u) << "moving 6 bytes down makes room without allocating";
    EXPECT_EQ(str(b), "abcdef");
    put(b, "ghij");
    EXPECT_EQ(str(b), "abcdefghij");
}

TEST(byte_buffer, grows_keeping_contents) {
    byte_buffer b(4);
    put(b, "abcd");
    put(b, "efghijklmnop");
    EXPECT_EQ(str(b), "abcdefghijklmnop");
    EXPECT_GE(b.capacity(), 16u);
}

TEST(byte_buffer, shrinks_only_when_empty) {
    byte_buffer b(4);
    put(b, std::string(1000, 'x'));
    b.shrink_if_empty(16);
    EXPECT_EQ(b.size(), 1000u);
    b.consume(1000);
    b.shrink_if_empty(16);
    EXPECT_EQ(b.capacity(), 16u);
}

TEST(output_queue, owned_and_borrowed_bytes_keep_order) {
    static const std::string big(5000, 'B');
    output_queue q;
    q.append_copy("head1|");
    q.append_ref(big);
    q.append_copy("head2|");
    q.append_copy("body2|");
    EXPECT_EQ(q.pending_bytes(), 6 + 5000 + 12u);
    iovec iov[8];
    EXPECT_EQ(q.gather(iov, 8), 3) << "adjacent owned bytes share one iovec";
    EXPECT_EQ(drain(q), "head1|" + big + "head2|body2|");
}

TEST(output_queue, partial_consume_resumes_mid_segment) {
    static const std::string big = "0123456789";
    output_queue q;
    q.append_copy("ab");
    q.append_ref(big);
    q.append_copy("cd");
    q.consume(5);
    EXPECT_EQ(drain(q), "3456789cd");
    q.consume(8);
    EXPECT_EQ(drain(q), "d");
    q.consume(1);
    EXPECT_TRUE(q.empty());
    q.append_copy("next");
    EXPECT_EQ(drain(q), "next");
}

TEST(output_queue, growth_does_not_break_queued_segments) {
    output_queue q;
    std::string expect;
    for (int i = 0; i < 2000; ++i) {
        std::string part = "response " + std::to_string(i) + "\n";
        q.append_copy(part);
        expect += part;
    }
    EXPECT_EQ(drain(q), expect);
}

TEST(intrusive_list, push_unlink_front) {
    int a_owner = 1, b_owner = 2;
    list_hook a(&a_owner), b(&b_owner);
    intrusive_list list;
    EXPECT_TRUE(list.empty());
    list.push_back(&a);
    list.push_back(&b);
    EXPECT_EQ(list.front()->owner, &a_owner);
    intrusive_list::unlink(&a);
    EXPECT_FALSE(a.linked());
    EXPECT_EQ(list.front()->owner, &b_owner);
    intrusive_list::unlink(&a); // a no-op when not linked
    intrusive_list::unlink(&b);
    EXPECT_TRUE(list.empty());
}

TEST(byte_buffer, erase_moves_the_rest_down) {
    byte_buffer b(32);
    put(b, "xxHEADgapgapBODY");
    b.consume(2);
    b.erase(4, 6);
    EXPECT_EQ(str(b), "HEADBODY");
    put(b, "+");
    EXPECT_EQ(str(b), "HEADBODY+");
}
