#ifndef PROCESS_SPAWN_H
#define PROCESS_SPAWN_H

#include <spawn.h>

/// The posix_spawn flag that starts the child in a session of its own (a GNU extension that
/// Swift's Glibc module does not show).
short process_spawn_setsid_flag(void);

/// Closes every descriptor from `lowest` up in the child (glibc's
/// posix_spawn_file_actions_addclosefrom_np, also a GNU extension).
int process_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

#endif
