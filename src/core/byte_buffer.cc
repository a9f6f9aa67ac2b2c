#include "core/byte_buffer.h"

#include <algorithm>

namespace rpslab::core {

void byte_buffer::reserve(std::size_t capacity) {
    std::unique_ptr<char[]> grown(new char[capacity]);
    if (size() > 0) {
        std::memcpy(grown.get(), data(), size());
    }
    _end -= _begin;
    _begin = 0;
    _data = std::move(grown);
    _capacity = capacity;
}

void byte_buffer::ensure_tail_room(std::size_t n) {
    if (tail_room() >= n) {
        return;
    }
    if (_capacity - size() >= n) {
        std::memmove(_data.get(), data(), size());
        _end -= _begin;
        _begin = 0;
        return;
    }
    std::size_t want = std::max(_capacity * 2, size() + n);
    if (want > _jump_above) {
        want = std::max(want, _jump_to);
    }
    reserve(want);
}

void byte_buffer::shrink_if_empty(std::size_t capacity) {
    if (empty() && _capacity > capacity) {
        _data.reset();
        _capacity = 0;
        _begin = _end = 0;
        if (capacity > 0) {
            reserve(capacity);
        }
    }
}

} // namespace rpslab::core
