#include "http/request.h"

#include "http/chars.h"

namespace rpslab::http {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (chars::to_lower(a[i]) != chars::to_lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && chars::is_ows(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && chars::is_ows(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::string_view find_header(const request& req, std::string_view name) {
    for (const header_field& f : req.headers) {
        if (iequals(f.name, name)) {
            return f.value;
        }
    }
    return {};
}

} // namespace rpslab::http
