#include "stats/interval_log.h"

#include "stats/base64.h"
#include "stats/hdr_encoding.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace rpslab::stats {

namespace {

constexpr std::string_view start_time_prefix = "#[StartTime: ";
constexpr std::string_view base_time_prefix = "#[BaseTime: ";
constexpr std::string_view legend =
    R"("StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram")";
constexpr std::string_view tag_prefix = "Tag=";
// HdrHistogram's readers: a first timestamp more than a year before StartTime means relative timestamps.
constexpr double relative_timestamp_threshold_s = 365 * 24 * 3600.0;

// "%.3f" without the locale: a program that called setlocale() must still write "1.500", never "1,500".
void write_fixed3(std::ostream& out, double v) {
    char buf[400]; // enough for any double in fixed notation
    auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
    out.write(buf, result.ptr - buf);
}

// Like Java's Date.toString() (what HdrHistogram writes there), in UTC: "Thu Jan 01 00:00:00 UTC 1970".
// Readers ignore it; it is for people.
std::string format_date_utc(double seconds) {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto t = static_cast<std::time_t>(std::floor(seconds));
    std::tm tm{};
    if (!std::isfinite(seconds) || gmtime_r(&t, &tm) == nullptr) {
        return "unknown date";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d UTC %d", days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    return buf;
}

// A whole field as a finite double (from_chars: no locale, no leading spaces or '+').
bool parse_number(std::string_view field, double& v) {
    auto result = std::from_chars(field.data(), field.data() + field.size(), v);
    return result.ec == std::errc() && result.ptr == field.data() + field.size() && std::isfinite(v);
}

// Reads one line (without its '\n') into `line`. Returns false at the end of the stream with nothing read;
// sets `too_long` (and stops reading) past `max` bytes.
bool read_line(std::istream& in, std::string& line, std::size_t max, bool& too_long) {
    line.clear();
    std::streambuf* buf = in.rdbuf();
    bool any = false;
    for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
        any = true;
        if (c == '\n') {
            return true;
        }
        if (line.size() == max) {
            too_long = true;
            return true;
        }
        line.push_back(static_cast<char>(c));
    }
    in.setstate(std::ios::eofbit);
    return any;
}

} // namespace

void interval_log_writer::write_header(double start_time_s) {
    _out << "#[Histogram log format version 1.3]\n";
    _out << start_time_prefix;
    write_fixed3(_out, start_time_s);
    _out << " (seconds since epoch), " << format_date_utc(start_time_s) << "]\n";
    _out << base_time_prefix;
    write_fixed3(_out, start_time_s);
    _out << " (seconds since epoch)]\n";
    _out << legend << '\n';
}

void interval_log_writer::write_comment(std::string_view text) {
    if (text.find_first_of("\r\n") != std::string_view::npos) {
        throw std::invalid_argument("interval_log_writer: a comment cannot contain a line break");
    }
    _out << "#[" << text << "]\n";
}

void interval_log_writer::write_interval(double start_s, double length_s, const histogram& h, std::string_view tag) {
    if (tag.find_first_of(", \t\r\n") != std::string_view::npos) {
        throw std::invalid_argument("interval_log_writer: tag '" + std::string(tag) + "' contains ',' or whitespace");
    }
    if (!tag.empty()) {
        _out << tag_prefix << tag << ',';
    }
    write_fixed3(_out, start_s);
    _out << ',';
    write_fixed3(_out, length_s);
    _out << ',';
    write_fixed3(_out, static_cast<double>(h.max()) / _max_value_unit_ratio);
    _out << ',' << base64_encode(encode_compressed(h)) << '\n';
}

bool interval_log_reader::fail(std::string message) {
    _error = log_error{_line, std::move(message)};
    return false;
}

std::optional<log_interval> interval_log_reader::next() {
    std::string text;
    while (!_error) {
        bool too_long = false;
        if (!read_line(_in, text, _max_line_bytes, too_long)) {
            return std::nullopt;
        }
        ++_line;
        if (too_long) {
            fail("line longer than " + std::to_string(_max_line_bytes) + " bytes");
            return std::nullopt;
        }
        std::string_view line = text;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        bool is_start = line.starts_with(start_time_prefix);
        if (is_start || line.starts_with(base_time_prefix)) {
            std::string_view rest = line.substr(is_start ? start_time_prefix.size() : base_time_prefix.size());
            std::string_view number = rest.substr(0, rest.find_first_of(" ]"));
            double seconds = 0;
            if (!parse_number(number, seconds)) {
                fail(std::string(is_start ? "StartTime" : "BaseTime") + ": '" + std::string(number) +
                     "' is not a number of seconds");
                return std::nullopt;
            }
            if (is_start) {
                _start_time_s = seconds;
            } else {
                _base_time_s = seconds;
            }
            continue;
        }
        if (line.empty() || line.starts_with('#') || line.starts_with("\"StartTimestamp\"")) {
            continue;
        }
        return parse_interval(line);
    }
    return std::nullopt;
}

std::optional<log_interval> interval_log_reader::parse_interval(std::string_view line) {
    std::string tag;
    if (line.starts_with(tag_prefix)) {
        std::size_t comma = line.find(',');
        if (comma == std::string_view::npos || comma == tag_prefix.size()) {
            fail("'Tag=' needs a non-empty tag followed by ','");
            return std::nullopt;
        }
        tag = line.substr(tag_prefix.size(), comma - tag_prefix.size());
        line.remove_prefix(comma + 1);
    }
    std::string_view fields[4];
    std::size_t count = 0;
    for (std::size_t start = 0;;) {
        std::size_t comma = line.find(',', start);
        if (count < 4) {
            fields[count] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
        }
        ++count;
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    if (count != 4) {
        fail("expected 4 fields (StartTimestamp,Interval_Length,Interval_Max,Interval_Compressed_Histogram), got " +
             std::to_string(count));
        return std::nullopt;
    }
    double numbers[3];
    static constexpr const char* names[] = {"StartTimestamp", "Interval_Length", "Interval_Max"};
    for (int i = 0; i < 3; ++i) {
        if (!parse_number(fields[i], numbers[i]) || (i > 0 && numbers[i] < 0)) {
            fail(std::string(names[i]) + ": '" + std::string(fields[i]) + "' is not a " +
                 (i > 0 ? "non-negative " : "") + "finite number");
            return std::nullopt;
        }
    }
    std::string error;
    auto bytes = base64_decode(fields[3], error);
    std::optional<histogram> h = bytes ? decode_compressed(*bytes, error) : std::nullopt;
    if (!h) {
        fail("Interval_Compressed_Histogram: " + error);
        return std::nullopt;
    }
    if (!_base_time_s) {
        _base_time_s = numbers[0] < _start_time_s - relative_timestamp_threshold_s ? _start_time_s : 0.0;
    }
    return log_interval{std::move(tag), numbers[0], numbers[0] + *_base_time_s, numbers[1], numbers[2], std::move(*h)};
}

std::optional<interval_log> read_interval_log(std::istream& in, log_error& error, std::size_t max_total_counts) {
    interval_log_reader reader(in);
    interval_log log;
    std::size_t total_counts = 0;
    while (auto interval = reader.next()) {
        total_counts += interval->hist.counts_length();
        if (total_counts > max_total_counts) {
            error = {reader.line(), "the histograms so far need " + std::to_string(total_counts) +
                                        " count slots, more than the limit of " + std::to_string(max_total_counts)};
            return std::nullopt;
        }
        log.intervals.push_back(std::move(*interval));
    }
    if (reader.error()) {
        error = *reader.error();
        return std::nullopt;
    }
    log.start_time_s = reader.start_time_s();
    return log;
}

} // namespace rpslab::stats
