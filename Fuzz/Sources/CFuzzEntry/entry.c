// SwiftPM renames an executable's entry point to `<Module>_main` and links
// with `--defsym main=<Module>_main`, but a fuzz target has no Swift entry
// point: libFuzzer's driver is the program. These functions are those
// renamed entry points; each starts libFuzzer with the target's
// LLVMFuzzerTestOneInput. (Each executable uses only its own.)
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#define FUZZ_ENTRY(name) \
    int name(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

FUZZ_ENTRY(FuzzReader_main)
FUZZ_ENTRY(FuzzWriter_main)
FUZZ_ENTRY(FuzzJID_main)
FUZZ_ENTRY(FuzzSCRAM_main)
FUZZ_ENTRY(FuzzBase64_main)
FUZZ_ENTRY(FuzzSMLedger_main)
