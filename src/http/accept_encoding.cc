#include "http/accept_encoding.h"

#include "http/request.h"

namespace rpslab::http {

namespace {

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): zero only when every digit is 0.
bool q_is_zero(std::string_view params) {
    while (!params.empty()) {
        auto semi = params.find(';');
        std::string_view p = trim_ows(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            for (char c : p.substr(2)) {
                if (c != '0' && c != '.') {
                    return false;
                }
            }
            return true;
        }
    }
    return false;
}

} // namespace

bool accepts_gzip(std::string_view value) {
    bool gzip_listed = false;
    bool gzip_ok = false;
    bool star_ok = false;
    while (!value.empty()) {
        auto comma = value.find(',');
        std::string_view element = value.substr(0, comma);
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        auto semi = element.find(';');
        std::string_view coding = trim_ows(element.substr(0, semi));
        std::string_view params = semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
            gzip_listed = true;
            gzip_ok = !q_is_zero(params);
        } else if (coding == "*") {
            star_ok = !q_is_zero(params);
        }
    }
    return gzip_listed ? gzip_ok : star_ok;
}

std::string_view query_param(std::string_view query, std::string_view name, bool& found) {
    found = false;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            found = true;
            return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        }
    }
    return {};
}

} // namespace rpslab::http
