/* fuzz_csv.c — libFuzzer target: the input is a CSV file, read by
 * rt_read_csv with the default options, header=0, delimiter ';' and a
 * custom missing-value list; every table read is checked (fuzz_table.h). */
#include "fuzz_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_run("fuzz_csv", ".csv", rt_read_csv, "csv", data, size);
}
