// The Date header value (IMF-fixdate, RFC 9110 §5.6.7), formatted at most once a second.
// One per worker: never shared between threads, so no locking.
#pragma once

#include <ctime>
#include <string_view>

namespace rpslab::http {

class date_cache {
public:
    static constexpr std::size_t length = 29; // "Sun, 06 Nov 1994 08:49:37 GMT"

    // Re-formats when `now` (seconds since the epoch) moved to another second.
    void update(std::time_t now);
    std::string_view value() const { return {_text, length}; }

private:
    std::time_t _formatted_for = -1;
    char _text[length + 1] = {};
};

// Formats `t` as IMF-fixdate into `out` (exactly date_cache::length bytes).
void format_imf_fixdate(std::time_t t, char* out);

} // namespace rpslab::http
