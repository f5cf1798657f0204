#define _GNU_SOURCE
#include "process_spawn.h"

short process_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

int process_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}
