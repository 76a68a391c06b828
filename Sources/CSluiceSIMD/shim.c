// Everything in CSluiceSIMD is a static inline function in include/sluice_simd.h; SwiftPM needs one source file.
#include "sluice_simd.h"
