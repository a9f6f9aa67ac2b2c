// An intrusive doubly linked list: the element carries its own links, so linking and
// unlinking never allocate. Timers use it: a connection sits in its worker's deadline
// list through a hook inside itself ("timers live inside the object they time").
#pragma once

namespace rpslab::core {

struct list_hook {
    explicit list_hook(void* owner_object) : owner(owner_object) {}
    list_hook* prev = nullptr;
    list_hook* next = nullptr;
    void* owner; // the object this hook lives in
    bool linked() const { return next != nullptr; }
};

class intrusive_list {
public:
    intrusive_list() : _head(nullptr) { _head.prev = _head.next = &_head; }
    intrusive_list(const intrusive_list&) = delete;
    intrusive_list& operator=(const intrusive_list&) = delete;

    bool empty() const { return _head.next == &_head; }
    list_hook* front() const { return empty() ? nullptr : _head.next; }

    void push_back(list_hook* h) {
        h->prev = _head.prev;
        h->next = &_head;
        _head.prev->next = h;
        _head.prev = h;
    }

    // Unlinks `h` from whichever list holds it; a no-op when it is not linked.
    static void unlink(list_hook* h) {
        if (!h->linked()) {
            return;
        }
        h->prev->next = h->next;
        h->next->prev = h->prev;
        h->prev = h->next = nullptr;
    }

private:
    list_hook _head;
};

} // namespace rpslab::core
