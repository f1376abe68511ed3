#ifndef TOUCHSTONE_FUZZ_DRIVER_H
#define TOUCHSTONE_FUZZ_DRIVER_H

/// Runs libFuzzer on this executable's `LLVMFuzzerTestOneInput` with the command line's
/// arguments (corpus directories, -max_total_time=, -dict=, ...). SwiftPM links every
/// executable's `main` to `<Target>_main`, which each fuzz target defines by calling this.
int touchstone_fuzz_main(int argc, char **argv);

#endif
