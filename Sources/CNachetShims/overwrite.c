#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "CNachetShims.h"

int nachet_overwrite_unseen(const char *path, const void *data, unsigned long length) {
    struct stat before;
    if (stat(path, &before) != 0 || (unsigned long)before.st_size != length) return -1;
    int descriptor = open(path, O_WRONLY | O_CLOEXEC);
    if (descriptor < 0) return -1;
    ssize_t written = pwrite(descriptor, data, length, 0);
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    int restored = futimens(descriptor, times);
    close(descriptor);
    return written == (ssize_t)length && restored == 0 ? 0 : -1;
}
