// CRC-32C with the CPU's CRC32 instruction (SSE 4.2 on x86-64). The instruction computes the
// Castagnoli polynomial, so it gives the table-driven code's results (CRC32C.swift in Container),
// eight bytes per instruction: several times as fast on the frames convert checksums.
#include "isa.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

int octarc_crc32c_available(void) {
    static int available = -1;  // benign race: every thread computes the same value
    if (available < 0) {
        unsigned int a, b, c, d;
        available = __get_cpuid(1, &a, &b, &c, &d) ? (int)((c >> 20) & 1) : 0;
    }
    return available;
}

__attribute__((target("sse4.2"))) uint32_t octarc_crc32c_update(uint32_t state, const uint8_t *bytes,
                                                                 size_t count) {
    const uint8_t *p = bytes;
    size_t n = count;
    while (n > 0 && ((uintptr_t)p & 7) != 0) state = __builtin_ia32_crc32qi(state, *p++), n--;
    uint64_t s = state;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        s = __builtin_ia32_crc32di(s, word);
    }
    state = (uint32_t)s;
    while (n-- > 0) state = __builtin_ia32_crc32qi(state, *p++);
    return state;
}
#else
int octarc_crc32c_available(void) { return 0; }
uint32_t octarc_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count) {
    (void)bytes, (void)count;
    return state;
}
#endif
