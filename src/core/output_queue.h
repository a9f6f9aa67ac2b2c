// A connection's unsent output: owned bytes (response heads, small or generated bodies)
// interleaved with references to immutable memory that outlives the connection (the
// pre-serialized products). Everything queued in one batch leaves in one sendmsg.
#pragma once

#include "core/byte_buffer.h"

#include <cstddef>
#include <string_view>
#include <sys/uio.h>
#include <vector>

namespace rpslab::core {

class output_queue {
public:
    output_queue() = default;

    // Space for `n` owned bytes at the end; write into it, then commit() what was used.
    char* reserve(std::size_t n);
    void commit(std::size_t n);

    void append_copy(std::string_view bytes);
    // `bytes` must stay valid and unchanged until sent (static or process-lifetime data).
    void append_ref(std::string_view bytes);

    std::size_t pending_bytes() const { return _pending; }
    bool empty() const { return _pending == 0; }

    // Fills up to `max` iovecs with the unsent bytes in order; returns how many.
    int gather(iovec* iov, int max) const;

    // Drops the first `n` unsent bytes (after a write). Emptied, it rewinds its storage.
    void consume(std::size_t n);

    // See byte_buffer::set_growth_jump.
    void set_growth_jump(std::size_t above, std::size_t to) { _bytes.set_growth_jump(above, to); }

    // Frees owned storage above `capacity` once empty (after a large echo, say).
    void shrink_if_empty(std::size_t capacity);
    void clear();

private:
    // A run of owned bytes (ref == nullptr: at `offset` in _bytes) or a reference.
    struct segment {
        const char* ref;
        std::size_t offset;
        std::size_t len;
    };

    byte_buffer _bytes;
    std::vector<segment> _segments;
    std::size_t _first = 0;      // first segment with unsent bytes
    std::size_t _first_sent = 0; // bytes of it already sent
    std::size_t _pending = 0;
};

} // namespace rpslab::core
