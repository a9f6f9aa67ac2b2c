// Reads plan files: JSON text in, a checked `plan` out, or one plan_error naming the file,
// the JSON path of the faulty value and what is wrong with it. Also the built-in quick plan
// and the plan written back as JSON.
#include "bench/plan.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

namespace rpslab::bench {

namespace {

using json = nlohmann::json;

constexpr std::string_view plan_keys[] = {"name", "description", "repeat", "experiments"};
constexpr std::string_view experiment_keys[] = {"name",           "title",       "servers",  "workloads",
                                                "encodings",      "connections", "pipeline", "client_threads",
                                                "server_workers", "duration",    "warmup",   "x_axis"};
constexpr std::string_view known_encodings[] = {"identity", "gzip"};
constexpr std::string_view known_axes[] = {"connections", "pipeline", "none"};
// Only these bodies are served compressed (DESIGN.md "Same bytes everywhere").
constexpr std::string_view compressible_workloads[] = {"/read", "/list"};

// Shorter runs measure connection set-up and the first scheduler slices more than the
// steady state; longer ones belong in a soak test, not a bench plan.
constexpr std::int64_t min_duration_ms = 200;
constexpr std::int64_t max_duration_ms = 60 * 60'000;
constexpr std::size_t max_name_chars = 64;

bool contains(std::span<const std::string_view> items, std::string_view item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::string comma_list(std::span<const std::string_view> items) {
    std::string out;
    for (std::string_view item : items) {
        out += out.empty() ? "" : ", ";
        out += item;
    }
    return out;
}

std::string in_quotes(std::string_view text) {
    return json(std::string(text)).dump();
}

// What a value is, for "expected X, got Y": a fraction shows itself, since "got number"
// where an integer was expected would puzzle.
std::string describe(const json& j) {
    if (j.is_number_float()) {
        return "number " + j.dump();
    }
    return j.type_name();
}

std::string member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

// 90000 -> "90s", 1500 -> "1500ms": the shortest exact form parse_duration_ms reads back.
std::string format_duration(std::int64_t ms) {
    if (ms != 0 && ms % 60'000 == 0) {
        return std::to_string(ms / 60'000) + "m";
    }
    if (ms % 1000 == 0) {
        return std::to_string(ms / 1000) + "s";
    }
    return std::to_string(ms) + "ms";
}

// "5s", "500ms", "1.5m": a non-negative decimal and a unit; nullopt if it is not one.
// Absurdly large values saturate, so the range check rejects them with the user's text.
std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
        ++digits;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
    if (digits == 0 || ec != std::errc() || end != text.data() + digits) {
        return std::nullopt;
    }
    std::string_view unit = text.substr(digits);
    double scale = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60'000 : 0;
    if (scale == 0) {
        return std::nullopt;
    }
    double ms = std::round(value * scale);
    return ms > 1e15 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ms);
}

// nlohmann reports a byte offset (1-based, of the last character read); people want
// line:column. Past the end means the input ended too soon: point just after it.
std::string line_column(std::string_view text, std::size_t byte) {
    std::size_t offset = std::min(byte == 0 ? 0 : byte - 1, text.size());
    std::size_t line_start = 0;
    int line = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return std::to_string(line) + ":" + std::to_string(offset - line_start + 1);
}

// nlohmann's what() minus what the position replaces: the exception id, its own line and
// column, "syntax error while parsing value -", and the "last read" token, which often
// spans lines and whitespace and reads as noise next to a line:column.
std::string syntax_message(const json::parse_error& e) {
    std::string what = e.what();
    if (std::size_t colon = what.find(": ", what.find("column ")); colon != std::string::npos) {
        what = what.substr(colon + 2);
    }
    if (what.starts_with("syntax error while parsing ")) {
        if (std::size_t dash = what.find(" - "); dash != std::string::npos) {
            what = what.substr(dash + 3);
        }
    }
    if (std::size_t last = what.find("; last read: '"); last != std::string::npos) {
        std::size_t close = what.find("'; ", last + 14);
        what = what.substr(0, last) + (close == std::string::npos ? "" : what.substr(close + 1));
    }
    return what;
}

// nlohmann keeps the last of two equal keys; a plan saying "connections" twice is a
// mistake to report, so the parse callback tracks each open container's keys and path.
class duplicate_key_check {
public:
    explicit duplicate_key_check(const std::string& source) : _source(source) {}

    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            count_element();
            _open.push_back({event == json::parse_event_t::object_start, "", -1, {}});
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            _open.pop_back();
            break;
        case json::parse_event_t::key:
            on_key(parsed.get<std::string>());
            break;
        case json::parse_event_t::value:
            count_element();
            break;
        }
        return true;
    }

private:
    struct container {
        bool is_object;
        std::string key; // the member being read, in an object
        int index;       // the element being read, in an array
        std::vector<std::string> keys;
    };

    void count_element() {
        if (!_open.empty() && !_open.back().is_object) {
            ++_open.back().index;
        }
    }

    void on_key(std::string key) {
        container& object = _open.back();
        if (std::find(object.keys.begin(), object.keys.end(), key) != object.keys.end()) {
            std::string path = enclosing_path();
            throw plan_error(_source + ": " + (path.empty() ? "" : path + ": ") + "duplicate key " + in_quotes(key));
        }
        object.key = key;
        object.keys.push_back(std::move(key));
    }

    // The path of the innermost open container, from the members and elements above it.
    std::string enclosing_path() const {
        std::string path;
        for (std::size_t i = 0; i + 1 < _open.size(); ++i) {
            const container& c = _open[i];
            path = c.is_object ? member(path, c.key) : element(path, static_cast<std::size_t>(c.index));
        }
        return path;
    }

    std::string _source;
    std::vector<container> _open;
};

// Checks one parsed document against the plan format; every failure names source and path.
class plan_reader {
public:
    explicit plan_reader(std::string_view source) : _source(source) {}

    plan read_plan(const json& j) const {
        check_keys(j, "", plan_keys);
        plan p;
        p.name = default_name();
        if (const json* v = find(j, "name")) {
            p.name = name(*v, "name");
        }
        if (const json* v = find(j, "description")) {
            p.description = string(*v, "description");
        }
        if (const json* v = find(j, "repeat")) {
            p.repeat = static_cast<int>(integer(*v, "repeat", 1, 100));
        }
        p.experiments = experiments(required(j, "", "experiments"), "experiments");
        return p;
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw plan_error(_source + ": " + (path.empty() ? "" : path + ": ") + what);
    }

    // The file's stem names a plan that does not name itself: "bench/plans/gzip.json" -> "gzip".
    std::string default_name() const {
        std::string_view stem = std::string_view(_source).substr(_source.find_last_of('/') + 1);
        stem = stem.substr(0, stem.find('.'));
        return is_name(stem) ? std::string(stem) : "plan";
    }

    static const json* find(const json& object, std::string_view key) {
        auto it = object.find(std::string(key));
        return it == object.end() ? nullptr : &*it;
    }

    const json& required(const json& object, const std::string& path, std::string_view key) const {
        const json* v = find(object, key);
        if (v == nullptr) {
            fail(path, "missing required key " + in_quotes(key));
        }
        return *v;
    }

    // An object whose every key is allowed: a misspelt key must not fall back to a default.
    void check_keys(const json& j, const std::string& path, std::span<const std::string_view> allowed) const {
        if (!j.is_object()) {
            fail(path, "expected an object, got " + describe(j));
        }
        for (const auto& [key, value] : j.items()) {
            if (!contains(allowed, key)) {
                fail(path, "unknown key " + in_quotes(key) + " (allowed: " + comma_list(allowed) + ")");
            }
        }
    }

    std::vector<experiment> experiments(const json& j, const std::string& path) const {
        if (!j.is_array()) {
            fail(path, "expected an array of experiments, got " + describe(j));
        }
        if (j.empty()) {
            fail(path, "must not be empty");
        }
        std::vector<experiment> out;
        for (std::size_t i = 0; i < j.size(); ++i) {
            out.push_back(read_experiment(j[i], element(path, i)));
            for (std::size_t k = 0; k < i; ++k) {
                if (out[k].name == out[i].name) {
                    fail(member(element(path, i), "name"),
                         in_quotes(out[i].name) + " is already the name of " + element(path, k));
                }
            }
        }
        return out;
    }

    experiment read_experiment(const json& j, const std::string& path) const {
        check_keys(j, path, experiment_keys);
        experiment e;
        e.name = name(required(j, path, "name"), member(path, "name"));
        e.title = e.name;
        if (const json* v = find(j, "title")) {
            e.title = title(*v, member(path, "title"));
        }
        e.servers = choices(required(j, path, "servers"), member(path, "servers"), known_servers, "server");
        e.workloads = choices(required(j, path, "workloads"), member(path, "workloads"), known_workloads, "workload");
        read_optional_lists(j, path, e);
        read_optional_scalars(j, path, e);
        check_coherent(e, path);
        return e;
    }

    void read_optional_lists(const json& j, const std::string& path, experiment& e) const {
        if (const json* v = find(j, "encodings")) {
            e.encodings = choices(*v, member(path, "encodings"), known_encodings, "encoding");
        }
        if (const json* v = find(j, "connections")) {
            e.connections = integers(*v, member(path, "connections"), 1, 100'000);
        }
        if (const json* v = find(j, "pipeline")) {
            e.pipeline = integers(*v, member(path, "pipeline"), 1, 1024);
        }
    }

    void read_optional_scalars(const json& j, const std::string& path, experiment& e) const {
        if (const json* v = find(j, "client_threads")) {
            e.client_threads = static_cast<int>(integer(*v, member(path, "client_threads"), 0, 1024));
        }
        if (const json* v = find(j, "server_workers")) {
            e.server_workers = static_cast<int>(integer(*v, member(path, "server_workers"), 0, 1024));
        }
        if (const json* v = find(j, "duration")) {
            e.duration_ms = duration(*v, member(path, "duration"), min_duration_ms);
        }
        if (const json* v = find(j, "warmup")) {
            e.warmup_ms = duration(*v, member(path, "warmup"), 0);
        }
        if (const json* v = find(j, "x_axis")) {
            e.x_axis = one_of(*v, member(path, "x_axis"), known_axes);
        }
    }

    // Rules across keys: a plot needs its axis to vary, and gzip needs a compressible body.
    void check_coherent(const experiment& e, const std::string& path) const {
        const std::vector<int>* swept = e.x_axis == "connections" ? &e.connections
                                        : e.x_axis == "pipeline"  ? &e.pipeline
                                                                  : nullptr;
        if (swept != nullptr && swept->size() < 2) {
            fail(member(path, "x_axis"), in_quotes(e.x_axis) + " needs at least two values in " +
                                             member(path, e.x_axis) + ", got " + json(*swept).dump());
        }
        auto gzip = std::find(e.encodings.begin(), e.encodings.end(), "gzip");
        bool compressible = std::any_of(e.workloads.begin(), e.workloads.end(),
                                        [](const std::string& w) { return contains(compressible_workloads, w); });
        if (gzip != e.encodings.end() && !compressible) {
            fail(element(member(path, "encodings"), static_cast<std::size_t>(gzip - e.encodings.begin())),
                 "\"gzip\" needs /read or /list among the workloads; /simple and /compute are never compressed");
        }
    }

    static bool is_name(std::string_view text) {
        return !text.empty() && text.size() <= max_name_chars && std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
    }

    std::string string(const json& j, const std::string& path) const {
        if (!j.is_string()) {
            fail(path, "expected a string, got " + describe(j));
        }
        return j.get<std::string>();
    }

    // Names become parts of file names in the output directory, so they stay plain.
    std::string name(const json& j, const std::string& path) const {
        std::string text = string(j, path);
        if (!is_name(text)) {
            fail(path, "must be 1 to 64 letters, digits, '-' or '_', got " + in_quotes(text));
        }
        return text;
    }

    // A title heads a table and a plot: one line.
    std::string title(const json& j, const std::string& path) const {
        std::string text = string(j, path);
        bool one_line = std::none_of(text.begin(), text.end(), [](char c) { return c >= 0 && c < ' '; });
        if (text.empty() || !one_line) {
            fail(path, "must be one non-empty line, got " + in_quotes(text));
        }
        return text;
    }

    std::string one_of(const json& j, const std::string& path, std::span<const std::string_view> known) const {
        std::string text = string(j, path);
        if (!contains(known, text)) {
            fail(path, "must be one of " + comma_list(known) + ", got " + in_quotes(text));
        }
        return text;
    }

    std::int64_t integer(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi) const {
        if (!j.is_number_integer()) {
            fail(path, "expected an integer, got " + describe(j));
        }
        // Non-negative literals arrive unsigned and may exceed int64_t.
        bool fits = !j.is_number_unsigned() || j.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi);
        std::int64_t value = fits ? j.get<std::int64_t>() : hi;
        if (!fits || value < lo || value > hi) {
            fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + j.dump());
        }
        return value;
    }

    // A non-empty array of distinct integers, each in lo..hi.
    std::vector<int> integers(const json& j, const std::string& path, int lo, int hi) const {
        if (!j.is_array()) {
            fail(path, "expected an array of integers, got " + describe(j));
        }
        if (j.empty()) {
            fail(path, "must not be empty");
        }
        std::vector<int> out;
        for (std::size_t i = 0; i < j.size(); ++i) {
            int value = static_cast<int>(integer(j[i], element(path, i), lo, hi));
            if (std::find(out.begin(), out.end(), value) != out.end()) {
                fail(element(path, i), std::to_string(value) + " is listed twice");
            }
            out.push_back(value);
        }
        return out;
    }

    // A non-empty array of distinct strings, each one of `known`.
    std::vector<std::string> choices(const json& j, const std::string& path, std::span<const std::string_view> known,
                                     std::string_view what) const {
        if (!j.is_array()) {
            fail(path, "expected an array of strings, got " + describe(j));
        }
        if (j.empty()) {
            fail(path, "must not be empty");
        }
        std::vector<std::string> out;
        for (std::size_t i = 0; i < j.size(); ++i) {
            std::string text = string(j[i], element(path, i));
            if (!contains(known, text)) {
                fail(element(path, i),
                     "unknown " + std::string(what) + " " + in_quotes(text) + " (known: " + comma_list(known) + ")");
            }
            if (std::find(out.begin(), out.end(), text) != out.end()) {
                fail(element(path, i), in_quotes(text) + " is listed twice");
            }
            out.push_back(std::move(text));
        }
        return out;
    }

    // "5s", "500ms", "1m", or an integer of milliseconds.
    std::int64_t duration(const json& j, const std::string& path, std::int64_t min_ms) const {
        std::optional<std::int64_t> ms;
        std::string shown;
        if (j.is_string()) {
            shown = j.get<std::string>();
            ms = parse_duration_ms(shown);
        } else if (j.is_number_integer()) {
            bool fits =
                !j.is_number_unsigned() || j.get<std::uint64_t>() <= static_cast<std::uint64_t>(max_duration_ms);
            ms = fits ? j.get<std::int64_t>() : std::numeric_limits<std::int64_t>::max();
            shown = j.dump() + "ms";
        }
        if (!ms) {
            fail(path, "expected a duration such as \"5s\", \"500ms\" or \"1m\", or an integer of milliseconds, got " +
                           (j.is_string() ? in_quotes(shown) : describe(j)));
        }
        if (*ms < min_ms || *ms > max_duration_ms) {
            fail(path, "must be between " + format_duration(min_ms) + " and " + format_duration(max_duration_ms) +
                           ", got " + shown);
        }
        return *ms;
    }

    std::string _source;
};

nlohmann::ordered_json experiment_to_json(const experiment& e) {
    nlohmann::ordered_json j = {{"name", e.name}};
    if (!e.title.empty()) {
        j["title"] = e.title;
    }
    j["servers"] = e.servers;
    j["workloads"] = e.workloads;
    j["encodings"] = e.encodings;
    j["connections"] = e.connections;
    j["pipeline"] = e.pipeline;
    j["client_threads"] = e.client_threads;
    j["server_workers"] = e.server_workers;
    j["duration"] = format_duration(e.duration_ms);
    j["warmup"] = format_duration(e.warmup_ms);
    j["x_axis"] = e.x_axis;
    return j;
}

} // namespace

plan parse_plan(std::string_view json_text, std::string_view source) {
    const std::string name(source);
    json document;
    try {
        duplicate_key_check check(name);
        document = json::parse(json_text.begin(), json_text.end(), std::ref(check));
    } catch (const json::parse_error& e) {
        throw plan_error(name + ":" + line_column(json_text, e.byte) + ": JSON syntax error: " + syntax_message(e));
    }
    return plan_reader(name).read_plan(document);
}

plan load_plan_file(const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) {
        throw plan_error(path + ": cannot open: " + std::strerror(errno));
    }
    std::string text;
    char chunk[16384];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, file.get())) {
        text.append(chunk, n);
    }
    if (std::ferror(file.get())) {
        throw plan_error(path + ": cannot read: " + std::strerror(errno));
    }
    return parse_plan(text, path);
}

plan quick_plan() {
    // About a minute on 2 cores, >= 3 interleaved rounds (DESIGN.md "How performance is
    // measured"): 3 points (/simple at pipelining 1 and 16, /read at 1) x 3 servers x 3
    // repeats = 27 runs x (1 s measured + 0.25 s warm-up + ~1 s to start, await and stop a
    // server) = 61 s. /read pipelined would add 9 runs (20 s); the pipelining contrast shows
    // on /simple, whose cost is mostly packets and syscalls, the part pipelining shares.
    experiment simple{.name = "quick-simple",
                      .title = "/simple (packet-bound) at pipelining 1 and 16",
                      .servers = {"rpslab", "nginx", "fasthttp"},
                      .workloads = {"/simple"},
                      .pipeline = {1, 16},
                      .duration_ms = 1000,
                      .warmup_ms = 250,
                      .x_axis = "pipeline"};
    experiment read = simple;
    read.name = "quick-read";
    read.title = "/read (bandwidth-bound)";
    read.workloads = {"/read"};
    read.pipeline = {1};
    read.x_axis = "none";
    return plan{.name = "quick",
                .description = "The built-in plan behind --quick: rpslab, nginx and fasthttp on /simple "
                               "(pipelining 1 and 16) and /read, 50 connections, 3 interleaved repeats "
                               "of 1 s each; 27 runs, about a minute on 2 cores.",
                .repeat = 3,
                .experiments = {simple, read}};
}

std::string plan_to_json(const plan& p) {
    nlohmann::ordered_json j = {{"name", p.name}, {"description", p.description}, {"repeat", p.repeat}};
    j["experiments"] = nlohmann::ordered_json::array();
    for (const experiment& e : p.experiments) {
        j["experiments"].push_back(experiment_to_json(e));
    }
    // A title built in code may hold bytes that are not UTF-8; results.json must still be written.
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

} // namespace rpslab::bench
