#include "CNachetShims.h"

#include <sys/vfs.h>

long nachet_statfs_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) {
        return -1;
    }
    return (long)info.f_type;
}
