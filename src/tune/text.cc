#include "tune/text.h"

#include <cctype>
#include <charconv>

namespace rpslab::tune {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) {
            ++i;
        }
        std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) {
            ++i;
        }
        if (i > start) {
            out.push_back(text.substr(start, i - start));
        }
    }
    return out;
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    text = trim(text);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint64_t> parse_uint(std::string_view text, int base) {
    text = trim(text);
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
    const std::size_t room = width > indent + 20 ? width - indent : 20;
    std::string out;
    std::size_t column = 0;
    for (std::string_view line : lines(text)) {
        if (!out.empty()) {
            out += "\n" + std::string(indent, ' ');
            column = 0;
        }
        for (std::string_view word : words(line)) {
            if (column > 0 && column + 1 + word.size() > room) {
                out += "\n" + std::string(indent, ' ');
                column = 0;
            } else if (column > 0) {
                out += ' ';
                ++column;
            }
            out += word;
            column += word.size();
        }
    }
    return out;
}

std::string shell_word(std::string_view text) {
    std::string joined;
    for (std::string_view w : words(text)) {
        joined += (joined.empty() ? "" : " ") + std::string(w);
    }
    bool plain = !joined.empty();
    for (char c : joined) {
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == ',' || c == '-' || c == '.' ||
                          c == '_' || c == '/' || c == ':');
    }
    if (plain) {
        return joined;
    }
    std::string quoted = "'";
    for (char c : joined) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

} // namespace rpslab::tune
