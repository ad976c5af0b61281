#ifndef SISKIN_CSNAPPY_SHIM_H
#define SISKIN_CSNAPPY_SHIM_H
/* Snappy's C binding (block format: what Prometheus remote write mandates). */
#include <stddef.h>
#include <snappy-c.h>
#endif
