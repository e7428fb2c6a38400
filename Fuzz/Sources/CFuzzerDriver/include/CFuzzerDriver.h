#ifndef OCTARC_FUZZER_DRIVER_H
#define OCTARC_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own main (SwiftPM executables always do):
/// parses the libFuzzer flags in argv and runs the fuzzing loop over `callback`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
