// Which instruction sets this CPU and operating system support.
#include "isa.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

octarc_isa octarc_kernels_best_isa(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return OCTARC_ISA_GENERIC;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!fma || !osxsave || !avx) return OCTARC_ISA_GENERIC;
    const unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return OCTARC_ISA_GENERIC;  // the OS saves XMM and YMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return OCTARC_ISA_GENERIC;
    const int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512vl = (b >> 31) & 1;
    if (avx512f && avx512vl && (xcr0 & 0xe6) == 0xe6) return OCTARC_ISA_AVX512;  // and opmask, ZMM state
    return avx2 ? OCTARC_ISA_AVX2 : OCTARC_ISA_GENERIC;
}
#else
octarc_isa octarc_kernels_best_isa(void) { return OCTARC_ISA_GENERIC; }
#endif

octarc_isa octarc_clamp_isa(octarc_isa isa) {
    static int best = -1;  // benign race: every thread computes the same value
    if (best < 0) best = (int)octarc_kernels_best_isa();
    return (int)isa < best ? isa : (octarc_isa)best;
}
