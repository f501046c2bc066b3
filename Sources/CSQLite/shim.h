#ifndef NACHET_CSQLITE_SHIM_H
#define NACHET_CSQLITE_SHIM_H

#include <sqlite3.h>

/// `SQLITE_TRANSIENT` is a macro casting -1 to a function pointer, which Swift
/// cannot import; this returns it so bound text and blobs are copied by SQLite.
static inline sqlite3_destructor_type nachet_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
