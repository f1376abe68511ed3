#include <stddef.h>
#include <stdint.h>
#include "FuzzDriver.h"

// libFuzzer's entry points (compiler-rt's FuzzerInterface.h / FuzzerDriver.cpp): the test
// function each fuzz target defines, and the driver that libFuzzer's own `main` calls.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int touchstone_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
