#define _GNU_SOURCE
#include <fcntl.h>

#include "CNachetShims.h"

int nachet_o_direct(void) {
    return O_DIRECT;
}
