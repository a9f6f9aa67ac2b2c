#include "tune/interrupts.h"

#include "tune/text.h"

#include <algorithm>

namespace rpslab::tune {

namespace {

std::vector<int> parse_header(std::string_view line) {
    std::vector<int> cpus;
    for (std::string_view w : words(line)) {
        auto n = w.rfind("CPU", 0) == 0 ? parse_int(w.substr(3)) : std::nullopt;
        if (n) {
            cpus.push_back(static_cast<int>(*n));
        }
    }
    return cpus;
}

// "  38:   0   1482   PCI-MSIX-0000:00:03.0   1-edge   virtio2-input.0"
bool parse_row(std::string_view line, std::size_t columns, interrupt_row& row) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    row.irq = std::string(trim(line.substr(0, colon)));
    std::string_view rest = line.substr(colon + 1);
    while (row.counts.size() < columns) {
        std::string_view tail = trim(rest);
        auto end = std::min(tail.find(' '), tail.size());
        auto n = parse_uint(tail.substr(0, end));
        if (!n) {
            break;
        }
        row.counts.push_back(*n);
        rest = tail.substr(end);
    }
    row.description = std::string(trim(rest));
    return !row.irq.empty();
}

} // namespace

std::string_view interrupt_row::name() const {
    auto w = words(description);
    return w.empty() ? std::string_view{} : w.back();
}

const interrupt_row* interrupt_table::find(std::string_view irq) const {
    for (const interrupt_row& row : rows) {
        if (row.irq == irq) {
            return &row;
        }
    }
    return nullptr;
}

std::uint64_t interrupt_table::count_on(const interrupt_row& row, int cpu) const {
    auto it = std::find(cpus.begin(), cpus.end(), cpu);
    auto column = static_cast<std::size_t>(it - cpus.begin());
    return it == cpus.end() || column >= row.counts.size() ? 0 : row.counts[column];
}

interrupt_table parse_interrupts(std::string_view text) {
    interrupt_table table;
    auto all = lines(text);
    if (all.empty()) {
        return table;
    }
    table.cpus = parse_header(all.front());
    for (std::size_t i = 1; i < all.size(); ++i) {
        interrupt_row row;
        if (parse_row(all[i], table.cpus.size(), row)) {
            table.rows.push_back(std::move(row));
        }
    }
    return table;
}

} // namespace rpslab::tune
