// Zstandard's streaming API (Debian's libzstd-dev), for whole-stream XVA compression.
#include <zstd.h>
