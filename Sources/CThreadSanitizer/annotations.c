// Declarations only (include/CThreadSanitizer.h); SwiftPM needs one source file.
#include "CThreadSanitizer.h"
