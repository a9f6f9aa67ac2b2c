// A fixed-capacity double-ended queue of pointers: the pool's job queue. Storage is
// allocated once, so pushing and popping never allocate; both ends pop in O(1) because the
// pool serves the oldest job normally and the newest under overload (adaptive LIFO).
#pragma once

#include <cstddef>
#include <vector>

namespace rpslab::pool {

template <typename T> class ring {
public:
    explicit ring(std::size_t capacity) : _slots(capacity == 0 ? 1 : capacity) {}

    std::size_t size() const { return _size; }
    std::size_t capacity() const { return _slots.size(); }
    bool empty() const { return _size == 0; }
    bool full() const { return _size == _slots.size(); }

    // The caller checks full() first.
    void push_back(T* item) {
        _slots[wrap(_head + _size)] = item;
        ++_size;
    }
    // The caller checks empty() first.
    T* front() const { return _slots[_head]; }
    T* pop_front() {
        T* item = _slots[_head];
        _head = wrap(_head + 1);
        --_size;
        return item;
    }
    T* pop_back() {
        --_size;
        return _slots[wrap(_head + _size)];
    }

private:
    std::size_t wrap(std::size_t i) const { return i >= _slots.size() ? i - _slots.size() : i; }

    std::vector<T*> _slots;
    std::size_t _head = 0;
    std::size_t _size = 0;
};

} // namespace rpslab::pool
