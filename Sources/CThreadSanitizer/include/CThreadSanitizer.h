#ifndef SISKIN_CTHREADSANITIZER_H
#define SISKIN_CTHREADSANITIZER_H

// ThreadSanitizer's annotation entry points, as compiler-rt's
// sanitizer/tsan_interface.h declares them. The TSan runtime provides them;
// Siskin calls them only in ThreadSanitizer builds (SISKIN_TSAN, set by
// scripts/sanitize thread), so other builds never link them.
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

#endif
