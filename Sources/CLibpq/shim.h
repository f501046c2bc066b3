#ifndef NACHET_CLIBPQ_SHIM_H
#define NACHET_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <postgres_ext.h>

/// The error-field codes are character macros, which Swift does not import.
static inline int nachet_pq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int nachet_pq_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int nachet_pq_diag_message_hint(void) { return PG_DIAG_MESSAGE_HINT; }

static void nachet_pq_ignore_notice(void *argument, const char *message) {
    (void)argument;
    (void)message;
}

/// Drops the server's NOTICE messages ("relation already exists, skipping"),
/// which libpq would otherwise print on standard error.
static inline void nachet_pq_silence_notices(PGconn *connection) {
    PQsetNoticeProcessor(connection, nachet_pq_ignore_notice, NULL);
}

#endif
