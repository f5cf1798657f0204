#ifndef DESCRIPTOR_PASSING_H
#define DESCRIPTOR_PASSING_H

#include <stddef.h>
#include <sys/types.h>

/// Sends `length` bytes on the connected Unix socket `socket` with the descriptor `descriptor`
/// attached (SCM_RIGHTS), as QEMU's `getfd` expects: the descriptor travels with the command.
/// Returns the bytes sent, or -1 with errno set. The CMSG macros that build the message are not
/// visible from Swift, hence this.
ssize_t descriptor_passing_send(int socket, const void *bytes, size_t length, int descriptor);

#endif
