// /proc/interrupts: one row per interrupt source, one count per online CPU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rpslab::tune {

struct interrupt_row {
    std::string irq;                   // "38", or a name such as "NMI"
    std::vector<std::uint64_t> counts; // one per column of interrupt_table::cpus (fewer for ERR, MIS)
    std::string description;           // chip, hardware IRQ and the handler's name
    // The handler's name: the last word of the description ("virtio2-input.0", "eth0-TxRx-3").
    std::string_view name() const;
};

struct interrupt_table {
    std::vector<int> cpus; // the header's columns: CPU0 CPU1 ... (online CPUs only)
    std::vector<interrupt_row> rows;

    // The row of IRQ `irq`, or nullptr.
    const interrupt_row* find(std::string_view irq) const;
    // Interrupts `row` took on `cpu` (0 when the CPU has no column).
    std::uint64_t count_on(const interrupt_row& row, int cpu) const;
};

// Parses /proc/interrupts; lines it cannot read are skipped (the kernel's format is fixed,
// a truncated read is the only way to get one).
interrupt_table parse_interrupts(std::string_view text);

} // namespace rpslab::tune
