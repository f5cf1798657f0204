#ifndef FILE_IO_H
#define FILE_IO_H

#include <sys/types.h>

/// Starts writing the changed pages of the file open as `descriptor` to its device and returns
/// without waiting (Linux's sync_file_range with SYNC_FILE_RANGE_WRITE, a GNU extension that
/// Swift's Glibc module does not show). 0, or -1 with errno set.
int file_start_writeback(int descriptor);

/// Sends up to `count` bytes of the file open as `file` from `*offset` into the socket `socket`
/// without copying them through the caller (sendfile), advancing `*offset`. A reader that has
/// gone away fails the call with EPIPE (or ends it short) and never raises SIGPIPE: the signal is
/// held back on this thread for the call and taken if the call caused it. The bytes sent, or -1 with errno set.
ssize_t file_send_quietly(int socket, int file, off_t *offset, size_t count);

#endif
