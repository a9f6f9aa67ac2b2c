// Plan files: what a valid plan reads as, that every shipped plan and the quick plan check
// and round-trip, and the exact message for each kind of bad plan (the message is the
// interface a user sees, so it is compared verbatim).
#include "bench/plan.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace rpslab::bench {
namespace {

namespace fs = std::filesystem;

const fs::path shipped_plans_dir = fs::path(__FILE__).parent_path() / "../../../bench/plans";

// The message parse_plan throws for `text`, or "" when it parses.
std::string error_of(std::string_view text) {
    try {
        parse_plan(text, "plan.json");
    } catch (const plan_error& e) {
        return e.what();
    }
    return "";
}

// A plan of one valid experiment plus `extra` members (",\"pipeline\": [0]").
std::string one_experiment(const std::string& extra) {
    return R"({"experiments": [{"name": "e", "servers": ["rpslab"], "workloads": ["/simple"])" + extra + "}]}";
}

// Wall time of a plan if each run costs `overhead_s` beyond its warm-up and duration.
double estimated_seconds(const plan& p, double overhead_s) {
    double total = 0;
    for (const experiment& e : p.experiments) {
        std::size_t points = e.workloads.size() * e.encodings.size() * e.connections.size() * e.pipeline.size();
        double run_s = static_cast<double>(e.duration_ms + e.warmup_ms) / 1000 + overhead_s;
        total += static_cast<double>(points * e.servers.size()) * p.repeat * run_s;
    }
    return total;
}

void expect_same(const plan& a, const plan& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.repeat, b.repeat);
    ASSERT_EQ(a.experiments.size(), b.experiments.size());
    for (std::size_t i = 0; i < a.experiments.size(); ++i) {
        const experiment& x = a.experiments[i];
        const experiment& y = b.experiments[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.title, y.title);
        EXPECT_EQ(x.servers, y.servers);
        EXPECT_EQ(x.workloads, y.workloads);
        EXPECT_EQ(x.encodings, y.encodings);
        EXPECT_EQ(x.connections, y.connections);
        EXPECT_EQ(x.pipeline, y.pipeline);
        EXPECT_EQ(x.client_threads, y.client_threads);
        EXPECT_EQ(x.server_workers, y.server_workers);
        EXPECT_EQ(x.duration_ms, y.duration_ms);
        EXPECT_EQ(x.warmup_ms, y.warmup_ms);
        EXPECT_EQ(x.x_axis, y.x_axis);
    }
}

const char* const full_plan = R"({
  "name": "sweep",
  "description": "every key",
  "repeat": 5,
  "experiments": [
    {
      "name": "read-gzip",
      "title": "/read and /list, gzip",
      "servers": ["rpslab", "nginx", "h2o"],
      "workloads": ["/read", "/list"],
      "encodings": ["gzip", "identity"],
      "connections": [10, 100, 1000],
      "pipeline": [1, 16],
      "client_threads": 2,
      "server_workers": 4,
      "duration": "1500ms",
      "warmup": 250,
      "x_axis": "connections"
    },
    {"name": "second", "servers": ["fasthttp-prefork"], "workloads": ["/compute"], "pipeline": [1, 2], "x_axis": "pipeline"}
  ]
})";

TEST(bench_plan, a_minimal_plan_takes_every_default) {
    plan p = parse_plan(one_experiment(""), "bench/plans/my-plan.json");
    EXPECT_EQ(p.name, "my-plan") << "named after the file";
    EXPECT_EQ(p.description, "");
    EXPECT_EQ(p.repeat, 3);
    ASSERT_EQ(p.experiments.size(), 1u);
    const experiment& e = p.experiments[0];
    EXPECT_EQ(e.name, "e");
    EXPECT_EQ(e.title, "e") << "the name stands in for a missing title";
    EXPECT_EQ(e.servers, std::vector<std::string>{"rpslab"});
    EXPECT_EQ(e.workloads, std::vector<std::string>{"/simple"});
    EXPECT_EQ(e.encodings, std::vector<std::string>{"identity"});
    EXPECT_EQ(e.connections, std::vector<int>{50});
    EXPECT_EQ(e.pipeline, std::vector<int>{1});
    EXPECT_EQ(e.client_threads, 0);
    EXPECT_EQ(e.server_workers, 0);
    EXPECT_EQ(e.duration_ms, 5000);
    EXPECT_EQ(e.warmup_ms, 1000);
    EXPECT_EQ(e.x_axis, "none");
}

TEST(bench_plan, a_source_that_is_no_name_names_the_plan_plan) {
    EXPECT_EQ(parse_plan(one_experiment(""), "<stdin>").name, "plan");
    EXPECT_EQ(parse_plan(one_experiment(""), "my plan.json").name, "plan");
}

TEST(bench_plan, every_key_is_read) {
    plan p = parse_plan(full_plan, "plan.json");
    EXPECT_EQ(p.name, "sweep");
    EXPECT_EQ(p.description, "every key");
    EXPECT_EQ(p.repeat, 5);
    ASSERT_EQ(p.experiments.size(), 2u);
    const experiment& e = p.experiments[0];
    EXPECT_EQ(e.name, "read-gzip");
    EXPECT_EQ(e.title, "/read and /list, gzip");
    EXPECT_EQ(e.servers, (std::vector<std::string>{"rpslab", "nginx", "h2o"}));
    EXPECT_EQ(e.workloads, (std::vector<std::string>{"/read", "/list"}));
    EXPECT_EQ(e.encodings, (std::vector<std::string>{"gzip", "identity"}));
    EXPECT_EQ(e.connections, (std::vector<int>{10, 100, 1000}));
    EXPECT_EQ(e.pipeline, (std::vector<int>{1, 16}));
    EXPECT_EQ(e.client_threads, 2);
    EXPECT_EQ(e.server_workers, 4);
    EXPECT_EQ(e.duration_ms, 1500);
    EXPECT_EQ(e.warmup_ms, 250);
    EXPECT_EQ(e.x_axis, "connections");
    EXPECT_EQ(p.experiments[1].x_axis, "pipeline");
    EXPECT_EQ(p.experiments[1].pipeline, (std::vector<int>{1, 2}));
}

TEST(bench_plan, durations_read_as_units_or_milliseconds) {
    struct {
        const char* json;
        std::int64_t ms;
    } const cases[] = {
        {R"("5s")", 5000},   {R"("500ms")", 500},     {R"("1m")", 60'000}, {R"("1.5s")", 1500},
        {R"("0.25s")", 250}, {R"("60m")", 3'600'000}, {"750", 750},        {"200", 200},
    };
    for (const auto& c : cases) {
        plan p = parse_plan(one_experiment(std::string(R"(, "duration": )") + c.json), "plan.json");
        EXPECT_EQ(p.experiments[0].duration_ms, c.ms) << c.json;
    }
    EXPECT_EQ(parse_plan(one_experiment(R"(, "warmup": "0s")"), "plan.json").experiments[0].warmup_ms, 0);
    EXPECT_EQ(parse_plan(one_experiment(R"(, "warmup": 0)"), "plan.json").experiments[0].warmup_ms, 0);
}

TEST(bench_plan, plan_to_json_round_trips) {
    plan p = parse_plan(full_plan, "plan.json");
    std::string json = plan_to_json(p);
    expect_same(parse_plan(json, "results.json"), p);
    EXPECT_EQ(plan_to_json(parse_plan(json, "results.json")), json);
    EXPECT_NE(json.find(R"("duration": "1500ms")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("warmup": "250ms")"), std::string::npos) << json;
    EXPECT_LT(json.find(R"("name")"), json.find(R"("experiments")")) << "keys keep the documented order";
}

TEST(bench_plan, quick_plan_checks_round_trips_and_takes_about_a_minute) {
    plan quick = quick_plan();
    expect_same(parse_plan(plan_to_json(quick), "quick"), quick);
    EXPECT_GE(quick.repeat, 3) << "DESIGN.md: at least 3 interleaved rounds";
    double seconds = estimated_seconds(quick, 1.0);
    EXPECT_GE(seconds, 45);
    EXPECT_LE(seconds, 75);
    for (const experiment& e : quick.experiments) {
        EXPECT_EQ(e.servers, (std::vector<std::string>{"rpslab", "nginx", "fasthttp"})) << e.name;
    }
}

TEST(bench_plan, every_shipped_plan_parses_round_trips_and_states_its_time) {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(shipped_plans_dir)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        SCOPED_TRACE(entry.path().string());
        plan p = load_plan_file(entry.path().string());
        names.push_back(p.name);
        EXPECT_EQ(p.name, entry.path().stem().string());
        expect_same(parse_plan(plan_to_json(p), "results.json"), p);
        EXPECT_GE(p.repeat, 3);
        // The description states the estimate; keep it true when the plan changes.
        double seconds = estimated_seconds(p, 1.5);
        std::string minutes = "about " + std::to_string(std::lround(seconds / 60)) + " min";
        EXPECT_NE(p.description.find(minutes), std::string::npos) << "expected \"" << minutes << "\"";
        EXPECT_LE(seconds, 20 * 60) << "a shipped plan should finish within 20 minutes on 2 cores";
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"baseline", "connections", "gzip", "pipelining"}));
}

TEST(bench_plan, shipped_plans_reproduce_the_journals_experiments) {
    auto load = [](const char* name) {
        return load_plan_file((shipped_plans_dir / name).string()).experiments;
    };
    std::vector<experiment> baseline = load("baseline.json");
    ASSERT_EQ(baseline.size(), 1u);
    EXPECT_EQ(baseline[0].servers.size(), std::size(known_servers));
    EXPECT_EQ(baseline[0].workloads, (std::vector<std::string>{"/simple", "/read", "/list", "/compute"}));
    EXPECT_EQ(baseline[0].connections, std::vector<int>{50});
    EXPECT_EQ(baseline[0].pipeline, std::vector<int>{1});

    std::vector<experiment> ramp = load("connections.json");
    ASSERT_EQ(ramp.size(), 1u);
    EXPECT_EQ(ramp[0].connections, (std::vector<int>{100, 1000, 10000}));
    EXPECT_EQ(ramp[0].x_axis, "connections");
    EXPECT_EQ(ramp[0].servers, (std::vector<std::string>{"rpslab-prefork", "rpslab", "nginx", "fasthttp-prefork"}));

    std::vector<experiment> pipelining = load("pipelining.json");
    ASSERT_EQ(pipelining.size(), 1u);
    EXPECT_EQ(pipelining[0].pipeline, (std::vector<int>{1, 2, 4, 8, 16, 32, 50}));
    EXPECT_EQ(pipelining[0].workloads, (std::vector<std::string>{"/simple", "/read"}));
    EXPECT_EQ(pipelining[0].x_axis, "pipeline");

    std::vector<experiment> gzip = load("gzip.json");
    ASSERT_EQ(gzip.size(), 1u);
    EXPECT_EQ(gzip[0].workloads, std::vector<std::string>{"/read"});
    EXPECT_EQ(gzip[0].encodings, (std::vector<std::string>{"identity", "gzip"}));
}

TEST(bench_plan, load_plan_file_names_the_path_in_every_error) {
    fs::path dir = fs::temp_directory_path() / ("rpslab-plan-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "bad.json") << R"({"repeat": 0, "experiments": []})";
    auto error_loading = [](const fs::path& path) {
        try {
            load_plan_file(path.string());
        } catch (const plan_error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_EQ(error_loading(dir / "bad.json"),
              (dir / "bad.json").string() + ": repeat: must be between 1 and 100, got 0");
    EXPECT_EQ(error_loading(dir / "none.json"),
              (dir / "none.json").string() + ": cannot open: No such file or directory");
    EXPECT_EQ(error_loading(dir), dir.string() + ": cannot read: Is a directory");
    fs::remove_all(dir);
}

struct bad_plan {
    const char* name;
    std::string text;
    const char* message;
};

const bad_plan bad_plans[] = {
    // JSON itself, with the place as line:column.
    {"empty", "", "plan.json:1:1: JSON syntax error: unexpected end of input; expected '[', '{', or a literal"},
    {"trailing comma", "{\n  \"experiments\": [\n    {\"name\": \"e\",}\n  ]\n}",
     "plan.json:3:18: JSON syntax error: unexpected '}'; expected string literal"},
    {"comment", "{\n  // why\n}", "plan.json:2:3: JSON syntax error: invalid literal; expected string literal"},
    {"cut short", R"({"experiments": [)",
     "plan.json:1:18: JSON syntax error: unexpected end of input; expected '[', '{', or a literal"},
    {"line break in a string", "{\"name\": \"a\nb\"}",
     "plan.json:1:12: JSON syntax error: invalid string: control character U+000A (LF) must be escaped to \\u000A or "
     "\\n"},
    {"text after the plan", one_experiment("") + " x",
     "plan.json:1:83: JSON syntax error: invalid literal; expected end of input"},
    {"duplicate top-level key", R"({"repeat": 3, "repeat": 4})", R"(plan.json: duplicate key "repeat")"},
    {"duplicate experiment key", one_experiment(R"(, "connections": [1], "connections": [2])"),
     R"(plan.json: experiments[0]: duplicate key "connections")"},
    {"duplicate key in a later experiment",
     R"({"experiments": [{"name": "a"}, [1, {"x": 1}], {"name": "b", "name": "c"}]})",
     R"(plan.json: experiments[2]: duplicate key "name")"},
    // The plan's own keys.
    {"not an object", "[]", "plan.json: expected an object, got array"},
    {"no experiments", "{}", R"(plan.json: missing required key "experiments")"},
    {"empty experiments", R"({"experiments": []})", "plan.json: experiments: must not be empty"},
    {"experiments not an array", R"({"experiments": {}})",
     "plan.json: experiments: expected an array of experiments, got object"},
    {"unknown top-level key", R"({"experiment": []})",
     R"(plan.json: unknown key "experiment" (allowed: name, description, repeat, experiments))"},
    {"repeat zero", R"({"repeat": 0})", "plan.json: repeat: must be between 1 and 100, got 0"},
    {"repeat too many", R"({"repeat": 101})", "plan.json: repeat: must be between 1 and 100, got 101"},
    {"repeat as text", R"({"repeat": "3"})", "plan.json: repeat: expected an integer, got string"},
    {"repeat fractional", R"({"repeat": 2.5})", "plan.json: repeat: expected an integer, got number 2.5"},
    {"repeat boolean", R"({"repeat": true})", "plan.json: repeat: expected an integer, got boolean"},
    {"plan name with a space", R"({"name": "my plan"})",
     R"(plan.json: name: must be 1 to 64 letters, digits, '-' or '_', got "my plan")"},
    {"description not text", R"({"description": 1})", "plan.json: description: expected a string, got number"},
    // An experiment's keys.
    {"experiment not an object", R"({"experiments": [1]})",
     "plan.json: experiments[0]: expected an object, got number"},
    {"misspelt key", one_experiment(R"(, "conections": [50])"),
     R"(plan.json: experiments[0]: unknown key "conections" (allowed: name, title, servers, workloads, encodings, )"
     R"(connections, pipeline, client_threads, server_workers, duration, warmup, x_axis))"},
    {"no name", R"({"experiments": [{"servers": ["rpslab"], "workloads": ["/simple"]}]})",
     R"(plan.json: experiments[0]: missing required key "name")"},
    {"no servers", R"({"experiments": [{"name": "e", "workloads": ["/simple"]}]})",
     R"(plan.json: experiments[0]: missing required key "servers")"},
    {"no workloads", R"({"experiments": [{"name": "e", "servers": ["rpslab"]}]})",
     R"(plan.json: experiments[0]: missing required key "workloads")"},
    {"duplicate experiment name",
     R"({"experiments": [)"
     R"({"name": "e", "servers": ["rpslab"], "workloads": ["/simple"]},)"
     R"({"name": "e", "servers": ["nginx"], "workloads": ["/read"]}]})",
     R"(plan.json: experiments[1].name: "e" is already the name of experiments[0])"},
    {"name with a slash", R"({"experiments": [{"name": "a/b"}]})",
     R"(plan.json: experiments[0].name: must be 1 to 64 letters, digits, '-' or '_', got "a/b")"},
    {"empty name", R"({"experiments": [{"name": ""}]})",
     R"(plan.json: experiments[0].name: must be 1 to 64 letters, digits, '-' or '_', got "")"},
    {"title of two lines", one_experiment(R"(, "title": "a\nb")"),
     R"(plan.json: experiments[0].title: must be one non-empty line, got "a\nb")"},
    {"title null", one_experiment(R"(, "title": null)"),
     "plan.json: experiments[0].title: expected a string, got null"},
    {"misspelt server", R"({"experiments": [{"name": "e", "servers": ["rpslab", "h2o", "ngnix"]}]})",
     R"(plan.json: experiments[0].servers[2]: unknown server "ngnix" (known: rpslab, rpslab-prefork, nginx, h2o, )"
     R"(fasthttp, fasthttp-prefork, nethttp))"},
    {"server twice", R"({"experiments": [{"name": "e", "servers": ["nginx", "rpslab", "nginx"]}]})",
     R"(plan.json: experiments[0].servers[2]: "nginx" is listed twice)"},
    {"no servers listed", R"({"experiments": [{"name": "e", "servers": []}]})",
     "plan.json: experiments[0].servers: must not be empty"},
    {"servers as text", R"({"experiments": [{"name": "e", "servers": "rpslab"}]})",
     "plan.json: experiments[0].servers: expected an array of strings, got string"},
    {"server as number", R"({"experiments": [{"name": "e", "servers": [1]}]})",
     "plan.json: experiments[0].servers[0]: expected a string, got number"},
    {"unknown workload", R"({"experiments": [{"name": "e", "servers": ["rpslab"], "workloads": ["/work"]}]})",
     R"(plan.json: experiments[0].workloads[0]: unknown workload "/work" (known: /simple, /read, /list, /compute))"},
    {"workload without slash", R"({"experiments": [{"name": "e", "servers": ["rpslab"], "workloads": ["simple"]}]})",
     R"(plan.json: experiments[0].workloads[0]: unknown workload "simple" (known: /simple, /read, /list, /compute))"},
    {"unknown encoding", one_experiment(R"(, "encodings": ["br"])"),
     R"(plan.json: experiments[0].encodings[0]: unknown encoding "br" (known: identity, gzip))"},
    {"gzip with nothing to compress", one_experiment(R"(, "encodings": ["identity", "gzip"])"),
     R"(plan.json: experiments[0].encodings[1]: "gzip" needs /read or /list among the workloads; )"
     R"(/simple and /compute are never compressed)"},
    {"pipeline zero in a later experiment",
     R"({"experiments": [{"name": "a", "servers": ["rpslab"], "workloads": ["/simple"]},)"
     R"({"name": "b", "servers": ["rpslab"], "workloads": ["/simple"], "pipeline": [0]}]})",
     "plan.json: experiments[1].pipeline[0]: must be between 1 and 1024, got 0"},
    {"pipeline too deep", one_experiment(R"(, "pipeline": [1, 1025])"),
     "plan.json: experiments[0].pipeline[1]: must be between 1 and 1024, got 1025"},
    {"pipeline empty", one_experiment(R"(, "pipeline": [])"), "plan.json: experiments[0].pipeline: must not be empty"},
    {"connections as text", one_experiment(R"(, "connections": "50")"),
     "plan.json: experiments[0].connections: expected an array of integers, got string"},
    {"connections as a number", one_experiment(R"(, "connections": 50)"),
     "plan.json: experiments[0].connections: expected an array of integers, got number"},
    {"connections fractional", one_experiment(R"(, "connections": [50.5])"),
     "plan.json: experiments[0].connections[0]: expected an integer, got number 50.5"},
    {"connections too many", one_experiment(R"(, "connections": [100001])"),
     "plan.json: experiments[0].connections[0]: must be between 1 and 100000, got 100001"},
    {"connections past int64", one_experiment(R"(, "connections": [9223372036854775808])"),
     "plan.json: experiments[0].connections[0]: must be between 1 and 100000, got 9223372036854775808"},
    {"connections negative", one_experiment(R"(, "connections": [-5])"),
     "plan.json: experiments[0].connections[0]: must be between 1 and 100000, got -5"},
    {"connections twice", one_experiment(R"(, "connections": [50, 100, 50])"),
     "plan.json: experiments[0].connections[2]: 50 is listed twice"},
    {"client threads negative", one_experiment(R"(, "client_threads": -1)"),
     "plan.json: experiments[0].client_threads: must be between 0 and 1024, got -1"},
    {"server workers as text", one_experiment(R"(, "server_workers": "2")"),
     "plan.json: experiments[0].server_workers: expected an integer, got string"},
    {"duration too short", one_experiment(R"(, "duration": "100ms")"),
     "plan.json: experiments[0].duration: must be between 200ms and 60m, got 100ms"},
    {"duration too short in ms", one_experiment(R"(, "duration": 150)"),
     "plan.json: experiments[0].duration: must be between 200ms and 60m, got 150ms"},
    {"duration too long", one_experiment(R"(, "duration": "61m")"),
     "plan.json: experiments[0].duration: must be between 200ms and 60m, got 61m"},
    {"duration absurd", one_experiment(R"(, "duration": "99999999999999999999m")"),
     "plan.json: experiments[0].duration: must be between 200ms and 60m, got 99999999999999999999m"},
    {"duration in words", one_experiment(R"(, "duration": "5 sec")"),
     R"(plan.json: experiments[0].duration: expected a duration such as "5s", "500ms" or "1m", or an integer of )"
     R"(milliseconds, got "5 sec")"},
    {"duration without unit", one_experiment(R"(, "duration": "5")"),
     R"(plan.json: experiments[0].duration: expected a duration such as "5s", "500ms" or "1m", or an integer of )"
     R"(milliseconds, got "5")"},
    {"duration in hours", one_experiment(R"(, "duration": "1h")"),
     R"(plan.json: experiments[0].duration: expected a duration such as "5s", "500ms" or "1m", or an integer of )"
     R"(milliseconds, got "1h")"},
    {"duration fractional number", one_experiment(R"(, "duration": 1.5)"),
     R"(plan.json: experiments[0].duration: expected a duration such as "5s", "500ms" or "1m", or an integer of )"
     R"(milliseconds, got number 1.5)"},
    {"warmup negative", one_experiment(R"(, "warmup": -1)"),
     "plan.json: experiments[0].warmup: must be between 0s and 60m, got -1ms"},
    {"warmup negative text", one_experiment(R"(, "warmup": "-1s")"),
     R"(plan.json: experiments[0].warmup: expected a duration such as "5s", "500ms" or "1m", or an integer of )"
     R"(milliseconds, got "-1s")"},
    {"unknown axis", one_experiment(R"(, "x_axis": "conns")"),
     R"(plan.json: experiments[0].x_axis: must be one of connections, pipeline, none, got "conns")"},
    {"axis that does not vary", one_experiment(R"(, "x_axis": "connections")"),
     R"(plan.json: experiments[0].x_axis: "connections" needs at least two values in experiments[0].connections, )"
     R"(got [50])"},
    {"pipeline axis that does not vary", one_experiment(R"(, "pipeline": [16], "x_axis": "pipeline")"),
     R"(plan.json: experiments[0].x_axis: "pipeline" needs at least two values in experiments[0].pipeline, got [16])"},
};

// gtest would print the row's bytes; its name says which it is.
void PrintTo(const bad_plan& row, std::ostream* out) {
    *out << row.name;
}

class bench_plan_rejects : public testing::TestWithParam<bad_plan> {};

TEST_P(bench_plan_rejects, with_the_exact_message) {
    EXPECT_EQ(error_of(GetParam().text), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(bad_plans, bench_plan_rejects, testing::ValuesIn(bad_plans),
                         [](const testing::TestParamInfo<bad_plan>& row) {
                             std::string name = row.param.name;
                             for (char& c : name) {
                                 c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                             }
                             return name;
                         });

} // namespace
} // namespace rpslab::bench
