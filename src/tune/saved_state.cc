#include "tune/saved_state.h"

#include "tune/host_root.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace rpslab::tune {

namespace {

namespace fs = std::filesystem;

constexpr int format_version = 1;

nlohmann::json to_json(const saved_state& s) {
    nlohmann::json writes = nlohmann::json::array();
    for (const saved_write& w : s.writes) {
        writes.push_back(
            {{"path", w.rel}, {"kind", value_kind_name(w.kind)}, {"original", w.original}, {"written", w.written}});
    }
    return {{"rpslab_tune_state", format_version},
            {"root", s.root},
            {"iface", s.iface},
            {"created_dirs", s.created_dirs},
            {"writes", writes}};
}

saved_state from_json(const nlohmann::json& j) {
    if (j.at("rpslab_tune_state").get<int>() != format_version) {
        throw std::runtime_error("unknown format version");
    }
    saved_state s;
    s.root = j.at("root").get<std::string>();
    s.iface = j.at("iface").get<std::string>();
    s.created_dirs = j.at("created_dirs").get<std::vector<std::string>>();
    for (const nlohmann::json& w : j.at("writes")) {
        s.writes.push_back({w.at("path").get<std::string>(), parse_value_kind(w.at("kind").get<std::string>()),
                            w.at("original").get<std::string>(), w.at("written").get<std::string>()});
    }
    return s;
}

std::vector<std::string> make_parents(const fs::path& file) {
    std::vector<fs::path> missing;
    std::error_code ignored; // a directory whose existence cannot be checked fails at create_directory
    for (fs::path dir = file.parent_path(); !dir.empty() && !fs::exists(dir, ignored); dir = dir.parent_path()) {
        missing.push_back(dir);
        if (dir == dir.parent_path()) {
            break;
        }
    }
    std::vector<std::string> created;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        std::error_code ec;
        if (!fs::create_directory(*it, ec) && ec) {
            throw std::runtime_error("cannot create " + it->string() + ": " + ec.message());
        }
        created.push_back(it->string());
    }
    return created;
}

} // namespace

std::string default_state_path(const std::string& root) {
    return join_root(root, "var/lib/rpslab/tune-saved.json");
}

void store_state(const std::string& path, saved_state& state) {
    state.created_dirs = make_parents(path);
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << to_json(state).dump(2) << "\n";
        if (!out.flush()) {
            throw std::runtime_error("cannot write " + temporary);
        }
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) {
        throw std::runtime_error("cannot rename " + temporary + " to " + path + ": " + ec.message());
    }
}

std::optional<saved_state> load_state(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!fs::exists(path)) {
            return std::nullopt;
        }
        throw std::runtime_error("cannot read the saved state " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return from_json(nlohmann::json::parse(text.str()));
    } catch (const std::exception& e) {
        throw std::runtime_error("the saved state " + path + " is damaged: " + e.what());
    }
}

std::vector<std::string> remove_state(const std::string& path, const saved_state& state) {
    std::vector<std::string> left;
    std::error_code ec;
    if (!fs::remove(path, ec) || ec) {
        left.push_back(path + (ec ? ": " + ec.message() : ": already gone"));
    }
    for (auto dir = state.created_dirs.rbegin(); dir != state.created_dirs.rend(); ++dir) {
        if (!fs::remove(*dir, ec) || ec) { // fs::remove refuses a non-empty directory
            left.push_back(*dir + (ec ? ": " + ec.message() : ""));
        }
    }
    return left;
}

} // namespace rpslab::tune
