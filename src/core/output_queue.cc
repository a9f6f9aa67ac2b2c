#include "core/output_queue.h"

namespace rpslab::core {

char* output_queue::reserve(std::size_t n) {
    // Owned bytes are addressed by offset, so growing the storage never breaks a segment.
    _bytes.ensure_tail_room(n);
    return _bytes.tail();
}

void output_queue::commit(std::size_t n) {
    if (n == 0) {
        return;
    }
    // Recomputed from the buffer's start: ensure_tail_room may have compacted it.
    std::size_t offset = static_cast<std::size_t>(_bytes.tail() - _bytes.data());
    _bytes.commit(n);
    _pending += n;
    if (!_segments.empty() && _segments.size() > _first) {
        segment& last = _segments.back();
        if (last.ref == nullptr && last.offset + last.len == offset) {
            last.len += n; // adjacent owned bytes share one iovec
            return;
        }
    }
    _segments.push_back({nullptr, offset, n});
}

void output_queue::append_copy(std::string_view bytes) {
    if (bytes.empty()) {
        return;
    }
    char* dst = reserve(bytes.size());
    std::memcpy(dst, bytes.data(), bytes.size());
    commit(bytes.size());
}

void output_queue::append_ref(std::string_view bytes) {
    if (bytes.empty()) {
        return;
    }
    _segments.push_back({bytes.data(), 0, bytes.size()});
    _pending += bytes.size();
}

int output_queue::gather(iovec* iov, int max) const {
    int n = 0;
    for (std::size_t i = _first; i < _segments.size() && n < max; ++i, ++n) {
        const segment& s = _segments[i];
        const char* base = s.ref != nullptr ? s.ref : _bytes.data() + s.offset;
        std::size_t skip = i == _first ? _first_sent : 0;
        iov[n].iov_base = const_cast<char*>(base + skip);
        iov[n].iov_len = s.len - skip;
    }
    return n;
}

void output_queue::consume(std::size_t n) {
    _pending -= n;
    while (n > 0) {
        std::size_t left = _segments[_first].len - _first_sent;
        if (n < left) {
            _first_sent += n;
            return;
        }
        n -= left;
        ++_first;
        _first_sent = 0;
    }
    if (_pending == 0) {
        clear();
    }
}

void output_queue::clear() {
    _segments.clear();
    _bytes.clear();
    _first = _first_sent = _pending = 0;
}

void output_queue::shrink_if_empty(std::size_t capacity) {
    if (empty()) {
        _bytes.shrink_if_empty(capacity);
    }
}

} // namespace rpslab::core
