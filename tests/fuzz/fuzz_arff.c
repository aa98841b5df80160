/* fuzz_arff.c — libFuzzer target: the input is an ARFF file, read by
 * rt_read_arff with the same option sets as fuzz_csv (the CSV-only options
 * must be harmless); every table read is checked (fuzz_table.h). */
#include "fuzz_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_run("fuzz_arff", ".arff", rt_read_arff, "arff", data, size);
}
