// HdrHistogram interval logs (log format 1.3): the text files `rpslab load` writes so that HdrHistogram's
// tools (HistogramLogProcessor, hdr-histogram-js, HdrHistogram_c) read them and runs from many machines
// merge losslessly. The writer and the reader own nothing but a reference to their stream.
#pragma once

#include "stats/histogram.h"

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::stats {

// HdrHistogram's convention: the Interval_Max column is the max divided by this ratio, to print it in
// milliseconds. We record µs, so 1000 (hdr-histogram-js's default; Java's writer defaults to 1e6 because
// it assumes ns). Readers only display the column: the histograms themselves carry no unit.
inline constexpr double default_max_value_unit_ratio = 1000.0;

// Writes, in this order:
//   #[Histogram log format version 1.3]
//   #[StartTime: <start, %.3f> (seconds since epoch), <date, UTC>]
//   #[BaseTime: <start, %.3f> (seconds since epoch)]
//   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
//   [Tag=<tag>,]<start_s %.3f>,<length_s %.3f>,<max / ratio %.3f>,<base64 of encode_compressed()>
// Interval start times are seconds since the start time (BaseTime says so to every reader). Interval_Max
// is the histogram's max() / ratio: exact for recorded values, where HdrHistogram's Java writer prints
// the highest equivalent value of the max's bucket (up to 0.1% above). Numbers are formatted without the
// locale (std::to_chars), so a program that called setlocale() still writes "1.500".
// Stream errors are left in the stream's state for the caller to check.
class interval_log_writer {
public:
    explicit interval_log_writer(std::ostream& out, double max_value_unit_ratio = default_max_value_unit_ratio)
        : _out(out), _max_value_unit_ratio(max_value_unit_ratio) {}

    // `start_time_s`: seconds since the epoch (fractional), e.g. when the run's first interval began.
    void write_header(double start_time_s);
    // A "#[<text>]" comment line, e.g. the command line of the run. Throws std::invalid_argument if `text`
    // contains a line break.
    void write_comment(std::string_view text);
    // One interval line; an empty `tag` writes none. Throws std::invalid_argument for a tag containing ','
    // or whitespace: readers split fields on them.
    void write_interval(double start_s, double length_s, const histogram& h, std::string_view tag = {});

private:
    std::ostream& _out;
    double _max_value_unit_ratio;
};

// One interval line, read back.
struct log_interval {
    std::string tag;    // empty when the line has none
    double timestamp_s; // the StartTimestamp column, as written
    double start_s;     // seconds since the epoch: timestamp_s + the log's base time (see below)
    double length_s;    // Interval_Length
    double max_column;  // Interval_Max, as written (in the writer's ratio units; informative only)
    histogram hist;     // decoded by decode_compressed()
};

struct log_error {
    std::size_t line; // 1-based
    std::string message;
    std::string to_string() const { return "line " + std::to_string(line) + ": " + message; }
};

// Reads a log one interval at a time, holding one histogram at a time; for logs of any length.
// Lines: "#[StartTime: X ...]" and "#[BaseTime: X ...]" are parsed (X must be a number); other '#' lines,
// the legend line (starting with '"StartTimestamp"') and empty lines are skipped; a trailing CR is
// dropped; every other line must be an interval line as the writer writes it, with exactly 4 fields after
// an optional non-empty "Tag=" field. The base time, as HdrHistogram's readers decide it: the BaseTime
// header if seen; otherwise, on the first interval, the StartTime if that interval's timestamp is more than
// a year before it (timestamps are then relative), else 0 (timestamps are absolute).
class interval_log_reader {
public:
    // Lines longer than `max_line_bytes` are an error, so a log without line breaks cannot fill memory.
    // The default is far above the longest real line: every slot of the load generator's layout non-zero
    // encodes to under 300 KB of base64.
    static constexpr std::size_t default_max_line_bytes = std::size_t{64} << 20;

    explicit interval_log_reader(std::istream& in, std::size_t max_line_bytes = default_max_line_bytes)
        : _in(in), _max_line_bytes(max_line_bytes) {}

    // The next interval, or nullopt at the end of the log or at the first error (then error() says which
    // line and what is wrong, and every later call returns nullopt).
    std::optional<log_interval> next();
    const std::optional<log_error>& error() const { return _error; }
    // The StartTime header (seconds since the epoch), once read; 0 before or without one.
    double start_time_s() const { return _start_time_s; }
    // The number of the last line read (1-based).
    std::size_t line() const { return _line; }

private:
    std::optional<log_interval> parse_interval(std::string_view line);
    bool fail(std::string message);

    std::istream& _in;
    std::size_t _max_line_bytes;
    std::size_t _line = 0;
    double _start_time_s = 0.0;
    std::optional<double> _base_time_s;
    std::optional<log_error> _error;
};

struct interval_log {
    double start_time_s = 0.0;
    std::vector<log_interval> intervals;
};

// Reads a whole log into memory. Each histogram holds its whole counts array (188 KiB for the load
// generator's layout), so a hostile or simply long log could ask for a lot: past `max_total_counts`
// slots in all (default 2^27, 1 GiB) this stops with an error; use interval_log_reader to stream instead.
// Returns nullopt with `error` set on the first error.
std::optional<interval_log> read_interval_log(std::istream& in, log_error& error,
                                              std::size_t max_total_counts = std::size_t{1} << 27);

} // namespace rpslab::stats
