// A growable byte buffer with a read and a write position: the connection's read buffer
// and the owned bytes of its output queue. Storage is never zero-filled, and it only
// grows on demand, so after warm-up reading and writing allocate nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace rpslab::core {

class byte_buffer {
public:
    byte_buffer() = default;
    explicit byte_buffer(std::size_t capacity) { reserve(capacity); }

    // Unread bytes: [begin, end). Valid until the next call that compacts or grows.
    char* data() { return _data.get() + _begin; }
    const char* data() const { return _data.get() + _begin; }
    std::size_t size() const { return _end - _begin; }
    bool empty() const { return _end == _begin; }
    std::span<const char> readable() const { return {data(), size()}; }

    // Free space after the unread bytes.
    char* tail() { return _data.get() + _end; }
    std::size_t tail_room() const { return _capacity - _end; }
    void commit(std::size_t n) { _end += n; }

    // Marks `n` unread bytes as used; an emptied buffer rewinds to its start for free.
    void consume(std::size_t n) {
        _begin += n;
        if (_begin == _end) {
            _begin = _end = 0;
        }
    }
    void clear() { _begin = _end = 0; }

    // Removes `len` unread bytes starting `offset` bytes into the unread ones, moving what
    // follows down (the chunked decoder drops the framing it already decoded this way).
    void erase(std::size_t offset, std::size_t len) {
        char* at = data() + offset;
        std::memmove(at, at + len, size() - offset - len);
        _end -= len;
    }

    // Makes tail_room() >= n: first by moving the unread bytes to the start, then by
    // growing (at least doubling). Invalidates pointers into the buffer.
    void ensure_tail_room(std::size_t n);

    // Growth past `above` bytes goes straight to at least `to`: a buffer that outgrows its
    // usual size then reaches its known working bound in one step instead of doubling
    // its way there over many batches (each of which would be an allocation).
    void set_growth_jump(std::size_t above, std::size_t to) {
        _jump_above = above;
        _jump_to = to;
    }

    // Frees storage above `capacity` when the buffer is empty (after a large request).
    void shrink_if_empty(std::size_t capacity);

    std::size_t capacity() const { return _capacity; }

private:
    void reserve(std::size_t capacity);

    std::unique_ptr<char[]> _data;
    std::size_t _capacity = 0;
    std::size_t _begin = 0;
    std::size_t _end = 0;
    std::size_t _jump_above = SIZE_MAX;
    std::size_t _jump_to = 0;
};

} // namespace rpslab::core
