// Internal: the per-instruction-set function attributes and the run-time choice.
#ifndef OCTARC_KERNELS_ISA_H
#define OCTARC_KERNELS_ISA_H

#include "CKernels.h"

#if defined(__x86_64__)
#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#define TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#else
#define TARGET_AVX2
#define TARGET_AVX512
#endif

#endif
