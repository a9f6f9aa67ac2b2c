#include "http/date_cache.h"

namespace rpslab::http {

namespace {

constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char* put2(char* p, int v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
    return p;
}

char* put_text(char* p, const char* s) {
    while (*s != '\0') {
        *p++ = *s++;
    }
    return p;
}

} // namespace

void format_imf_fixdate(std::time_t t, char* out) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char* p = put_text(out, day_names[tm.tm_wday]);
    p = put_text(p, ", ");
    p = put2(p, tm.tm_mday);
    *p++ = ' ';
    p = put_text(p, month_names[tm.tm_mon]);
    *p++ = ' ';
    int year = tm.tm_year + 1900;
    p = put2(p, year / 100);
    p = put2(p, year % 100);
    *p++ = ' ';
    p = put2(p, tm.tm_hour);
    *p++ = ':';
    p = put2(p, tm.tm_min);
    *p++ = ':';
    p = put2(p, tm.tm_sec);
    put_text(p, " GMT");
}

void date_cache::update(std::time_t now) {
    if (now != _formatted_for) {
        format_imf_fixdate(now, _text);
        _formatted_for = now;
    }
}

} // namespace rpslab::http
