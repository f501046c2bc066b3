#include <sys/eventfd.h>

#include "CNachetShims.h"

int nachet_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
