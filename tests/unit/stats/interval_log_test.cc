// Interval logs: the exact text we write, write -> read round trips, a log written by hdr-histogram-js, and
// malformed logs answered with the line and the reason.
#include "stats/interval_log.h"
#include "unit/stats/samples.h"

#include <gtest/gtest.h>
#include <sstream>

using namespace rpslab::stats;
using namespace rpslab::stats::test_data;

namespace {

constexpr double start_time_s = 1'700'000'000.123; // Tue Nov 14 22:13:20 UTC 2023

std::optional<interval_log> read_text(const std::string& text, log_error& error,
                                      std::size_t max_total_counts = std::size_t{1} << 27) {
    std::istringstream in(text);
    return read_interval_log(in, error, max_total_counts);
}

// The header we write, followed by `lines`.
std::string log_with(const std::string& lines) {
    std::ostringstream out;
    interval_log_writer(out).write_header(start_time_s);
    return out.str() + lines;
}

} // namespace

TEST(interval_log_writer, writes_the_v1_3_text_format) {
    histogram h = load_histogram();
    h.record(12'345); // max 12,345 µs -> 12.345 in the ms column
    h.record(17);
    std::ostringstream out;
    interval_log_writer writer(out);
    writer.write_header(start_time_s);
    writer.write_comment("rpslab load -c 50 http://x/");
    writer.write_interval(0, 1, h);
    writer.write_interval(1.0005, 0.25, load_histogram(), "service");
    std::istringstream lines(out.str());
    std::string line;
    std::vector<std::string> all;
    while (std::getline(lines, line)) {
        all.push_back(line);
    }
    ASSERT_EQ(all.size(), 7u);
    EXPECT_EQ(all[0], "#[Histogram log format version 1.3]");
    EXPECT_EQ(all[1], "#[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]");
    EXPECT_EQ(all[2], "#[BaseTime: 1700000000.123 (seconds since epoch)]");
    EXPECT_EQ(all[3], R"("StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram")");
    EXPECT_EQ(all[4], "#[rpslab load -c 50 http://x/]");
    EXPECT_EQ(all[5].rfind("0.000,1.000,12.345,HISTFAAA", 0), 0u) << all[5];
    EXPECT_EQ(all[6].rfind("Tag=service,1.000,0.250,0.000,HISTFAAA", 0), 0u) << all[6]; // 1.0005 -> 1.000
}

TEST(interval_log_writer, refuses_tags_and_comments_that_break_lines) {
    std::ostringstream out;
    interval_log_writer writer(out);
    EXPECT_THROW(writer.write_interval(0, 1, load_histogram(), "a,b"), std::invalid_argument);
    EXPECT_THROW(writer.write_interval(0, 1, load_histogram(), "a b"), std::invalid_argument);
    EXPECT_THROW(writer.write_comment("two\nlines"), std::invalid_argument);
    EXPECT_EQ(out.str(), "");
}

TEST(interval_log, write_read_round_trip) {
    std::vector<histogram> written;
    std::ostringstream out;
    interval_log_writer writer(out);
    writer.write_header(start_time_s);
    const char* tags[] = {"", "service", "lag"};
    for (int i = 0; i < 6; ++i) {
        histogram h = load_histogram();
        for (std::uint64_t v : make_samples(static_cast<distribution>(i % 4), 5000, static_cast<std::uint64_t>(i))) {
            h.record(v);
        }
        writer.write_interval(i * 1.5, 1.5, h, tags[i % 3]);
        written.push_back(std::move(h));
    }
    log_error error;
    auto log = read_text(out.str(), error);
    ASSERT_TRUE(log) << error.to_string();
    EXPECT_DOUBLE_EQ(log->start_time_s, start_time_s);
    ASSERT_EQ(log->intervals.size(), written.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
        SCOPED_TRACE(i);
        const log_interval& read = log->intervals[i];
        EXPECT_EQ(read.tag, tags[i % 3]);
        EXPECT_DOUBLE_EQ(read.timestamp_s, static_cast<double>(i) * 1.5);
        EXPECT_NEAR(read.start_s, start_time_s + static_cast<double>(i) * 1.5, 1e-6); // BaseTime is the start
        EXPECT_DOUBLE_EQ(read.length_s, 1.5);
        EXPECT_DOUBLE_EQ(read.max_column, static_cast<double>(written[i].max()) / 1000.0);
        ASSERT_TRUE(read.hist.same_layout(written[i]));
        EXPECT_EQ(read.hist.total_count(), written[i].total_count());
        EXPECT_TRUE(std::equal(read.hist.counts().begin(), read.hist.counts().end(), written[i].counts().begin(),
                               written[i].counts().end()));
    }
}

TEST(interval_log_reader, reads_a_log_written_by_hdr_histogram_js) {
    // hdr-histogram-js 3.0.1 HistogramLogWriter: format version, StartTime (with an extra blank line after it),
    // legend, then relative timestamps and no BaseTime. Interval 1: 250 µs × 90 and 40,000 µs × 10; interval
    // 2, tagged: 300 µs × 5.
    const std::string text =
        "#[Histogram log format version 1.3]\n"
        "#[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated "
        "Universal Time)]\n"
        "\n"
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
        "0.000,1.000,40.000,HISTFAAAACt4nJNpmSzMwMDAzsDAwMjAwMDMAAEgNsO1yUsYYPzPzFsYz8aLAABudgZM\n"
        "Tag=service,1.000,1.500,0.300,HISTFAAAACJ4nJNpmSzMwMDAzMDAwAilGaBshmuTlzDA+NdZuABVgQRC\n";
    log_error error;
    auto log = read_text(text, error);
    ASSERT_TRUE(log) << error.to_string();
    ASSERT_EQ(log->intervals.size(), 2u);
    const histogram& first = log->intervals[0].hist;
    EXPECT_EQ(first.total_count(), 100u);
    EXPECT_EQ(first.counts()[250], 90u);
    EXPECT_EQ(first.counts()[first.index_of(40'000)], 10u);
    EXPECT_EQ(first.value_at_percentile(90), 250u);
    EXPECT_EQ(first.value_at_percentile(91), 40'031u); // the highest equivalent value of 40,000
    // A first timestamp (0) more than a year before StartTime: timestamps are relative to StartTime.
    EXPECT_DOUBLE_EQ(log->intervals[0].start_s, 1'700'000'000.123);
    EXPECT_EQ(log->intervals[1].tag, "service");
    EXPECT_DOUBLE_EQ(log->intervals[1].length_s, 1.5);
    EXPECT_EQ(log->intervals[1].hist.counts()[300], 5u);
}

TEST(interval_log_reader, absolute_timestamps_without_base_time) {
    // Without BaseTime, a first timestamp near StartTime means absolute timestamps (base 0). CRLF endings
    // and blank lines are accepted.
    std::ostringstream line;
    interval_log_writer(line).write_interval(1'700'000'001.5, 1, load_histogram());
    std::string text = "#[StartTime: 1700000000.000 (seconds since epoch), x]\r\n\r\n" + line.str();
    log_error error;
    auto log = read_text(text, error);
    ASSERT_TRUE(log) << error.to_string();
    ASSERT_EQ(log->intervals.size(), 1u);
    EXPECT_DOUBLE_EQ(log->intervals[0].start_s, 1'700'000'001.5);
}

TEST(interval_log_reader, malformed_lines_name_the_line_and_the_problem) {
    std::ostringstream good_stream;
    interval_log_writer(good_stream).write_interval(0, 1, load_histogram());
    std::string good = good_stream.str();               // "0.000,1.000,0.000,HISTFAAA...\n"
    std::string b64 = good.substr(good.rfind(',') + 1); // with its '\n'
    struct row {
        const char* name;
        std::string lines; // after the 4 header lines
        std::size_t line;
        const char* message;
    } rows[] = {
        {"bad BaseTime", "#[BaseTime: soon (seconds since epoch)]\n", 5, "BaseTime: 'soon' is not a number"},
        {"three fields", "0.000,1.000," + b64, 5, "expected 4 fields"},
        {"five fields", "0.000,1.000,0.000,0," + b64, 5, "got 5"},
        {"bad timestamp", good + "x,1.000,0.000," + b64, 6, "StartTimestamp: 'x' is not a finite number"},
        {"nan length", "0.000,nan,0.000," + b64, 5, "Interval_Length: 'nan'"},
        {"negative length", "0.000,-1.000,0.000," + b64, 5, "non-negative"},
        {"spaces", "0.000, 1.000,0.000," + b64, 5, "Interval_Length: ' 1.000'"},
        {"empty tag", "Tag=," + good, 5, "non-empty tag"},
        {"tag alone", "Tag=abc\n", 5, "non-empty tag"},
        {"bad base64", "0.000,1.000,0.000,HIST*AAA\n", 5, "Interval_Compressed_Histogram: base64: invalid character"},
        {"not a histogram", "0.000,1.000,0.000,Zm9vYmFy\n", 5, "Interval_Compressed_Histogram: compressed encoding"},
        {"cut histogram", good.substr(0, good.size() - 9) + "\n", 5, "Interval_Compressed_Histogram:"},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.name);
        log_error error;
        EXPECT_FALSE(read_text(log_with(r.lines), error));
        EXPECT_EQ(error.line, r.line) << error.to_string();
        EXPECT_NE(error.message.find(r.message), std::string::npos) << error.to_string();
    }
}

TEST(interval_log_reader, stops_at_the_first_error_and_streams) {
    std::ostringstream out;
    interval_log_writer writer(out);
    writer.write_header(start_time_s);
    writer.write_interval(0, 1, load_histogram());
    out << "garbage\n";
    writer.write_interval(1, 1, load_histogram());
    std::istringstream in(out.str());
    interval_log_reader reader(in);
    EXPECT_TRUE(reader.next());
    EXPECT_FALSE(reader.error());
    EXPECT_FALSE(reader.next());
    ASSERT_TRUE(reader.error());
    EXPECT_EQ(reader.error()->to_string(), "line 6: expected 4 fields (StartTimestamp,Interval_Length,Interval_Max,"
                                           "Interval_Compressed_Histogram), got 1");
    EXPECT_FALSE(reader.next()); // and stays stopped
}

TEST(interval_log_reader, bounds_memory) {
    std::ostringstream out;
    interval_log_writer writer(out);
    writer.write_header(start_time_s);
    for (int i = 0; i < 3; ++i) {
        writer.write_interval(i, 1, load_histogram());
    }
    log_error error;
    EXPECT_TRUE(read_text(out.str(), error, 3 * 23552));
    EXPECT_FALSE(read_text(out.str(), error, 3 * 23552 - 1));
    EXPECT_EQ(error.line, 7u);
    EXPECT_NE(error.message.find("more than the limit of 70655"), std::string::npos) << error.message;
}

TEST(interval_log_reader, refuses_lines_past_the_limit_without_reading_them_whole) {
    std::string comment = "#" + std::string(999, 'x'); // exactly at the limit: fine
    std::istringstream in(comment + "\n" + std::string(1001, '0') + std::string(100'000, '1'));
    interval_log_reader reader(in, 1000);
    EXPECT_FALSE(reader.next());
    ASSERT_TRUE(reader.error());
    EXPECT_EQ(reader.error()->to_string(), "line 2: line longer than 1000 bytes");
    EXPECT_GT(in.rdbuf()->in_avail(), 90'000); // it stopped reading right after the limit
}
